"""Packages on a price sheet: "all photos as digital files", or a fixed bundle of products
sold at one price."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from studio.audit.models import AuditKind
from studio.catalogue.kinds import PHOTO_KINDS, PackageKind
from studio.catalogue.models import Package, PackageItem, PriceSheet, Product
from studio.catalogue.services.audit import record_added, record_changed, snapshot
from studio.catalogue.services.galleries import shown_in_galleries
from studio.catalogue.services.validation import (
    clean_money,
    clean_name,
    clean_positive_int,
    invalid,
)

PACKAGE_FIELDS = ("name", "kind", "price", "description", "active")


@dataclass(frozen=True)
class PackageItemInput:
    product: Product
    quantity: int = 1
    class_photo: bool = False


def _package_items(kind: str, items: Sequence[PackageItemInput]) -> list[PackageItemInput]:
    items = list(items)
    if kind == PackageKind.ALL_DIGITAL and items:
        raise invalid(
            "items", _("“All photos as digital files” has no list of contents."), "contents"
        )
    if kind == PackageKind.BUNDLE and not items:
        raise invalid("items", _("A bundle needs at least one item."), "contents")
    for item in items:
        clean_positive_int(item.quantity, "items")
        if item.class_photo and item.product.kind not in PHOTO_KINDS:
            raise invalid(
                "items", _("The class photo comes as a digital file or a print."), "class_photo"
            )
    return items


def _unique_package_name(sheet_id: int, name: str, exclude_pk=None) -> None:
    clash = Package.objects.filter(sheet_id=sheet_id, name__iexact=name).exclude(pk=exclude_pk)
    if clash.exists():
        raise invalid(
            "name", _("This price sheet already has a package of this name."), "duplicate"
        )


@shown_in_galleries
@transaction.atomic
def package_create(
    *,
    sheet: PriceSheet,
    name: str,
    kind: str,
    price,
    items: Sequence[PackageItemInput] = (),
    description: str = "",
    active: bool = True,
    actor=None,
) -> Package:
    if kind not in PackageKind.values:
        raise invalid("kind", _("Unknown kind of package."), "invalid")
    name = clean_name(name)
    _unique_package_name(sheet.pk, name)
    items = _package_items(kind, items)
    package = Package.objects.create(
        sheet=sheet,
        name=name,
        kind=kind,
        price=clean_money(price, sheet.currency),
        description=description.strip(),
        active=active,
    )
    _package_items_save(package, items)
    record_added(
        actor=actor,
        kind=AuditKind.PACKAGE_ADDED,
        subject=f"{sheet.name}: {package.name}",
        values=_package_audit(package),
    )
    return package


def _package_audit(package: Package) -> dict:
    """The package as the audit log shows it, its contents as one line."""
    contents = ", ".join(
        f"{item.quantity} × {item.product.name}"
        + (f" ({_('class photo')})" if item.class_photo else "")
        for item in package.items.select_related("product").order_by("pk")
    )
    return {**snapshot(package, PACKAGE_FIELDS), "items": contents}


def _package_items_save(package: Package, items) -> None:
    PackageItem.objects.bulk_create(
        PackageItem(
            package=package,
            product=item.product,
            quantity=item.quantity,
            class_photo=item.class_photo,
        )
        for item in items
    )


@shown_in_galleries
@transaction.atomic
def package_update(
    *,
    package: Package,
    name: str | None = None,
    price=None,
    description: str | None = None,
    active: bool | None = None,
    items: Sequence[PackageItemInput] | None = None,
    actor=None,
) -> Package:
    """Changes what is given; ``items`` replaces the whole contents."""
    package = (
        Package.objects.select_related("sheet").select_for_update(of=("self",)).get(pk=package.pk)
    )
    before = _package_audit(package)
    if name is not None:
        package.name = clean_name(name)
        _unique_package_name(package.sheet_id, package.name, exclude_pk=package.pk)
    if price is not None:
        package.price = clean_money(price, package.sheet.currency)
    if description is not None:
        package.description = description.strip()
    if active is not None:
        package.active = active
    package.save()
    if items is not None:
        items = _package_items(package.kind, items)
        package.items.all().delete()
        _package_items_save(package, items)
    record_changed(
        actor=actor,
        kind=AuditKind.PACKAGE_CHANGED,
        subject=f"{package.sheet.name}: {package.name}",
        before=before,
        after=_package_audit(package),
    )
    return package
