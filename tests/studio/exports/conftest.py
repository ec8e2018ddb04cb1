from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.test import TestCase

from saas_platform.accounts.models import Role, User
from studio.access.services import access_codes_issue
from studio.catalogue.models import PriceSheet, PriceSheetAttachment, PriceSheetItem, Product
from studio.orders.services import refund_record
from studio.photos.models import Photo
from tests.conftest import OWNER_PASSWORD
from tests.studio.orders.conftest import make_shop, place_order
from tests.studio.photos.images import jpeg_bytes


def season(*, tag: str = "") -> dict:
    """A small season in the current studio: a school with two classes, a retouched and an
    untouched photo tagged to children, a group photo with a real JPEG, access codes, a paid
    order, a paid-and-partly-refunded one, a parent, a manager, a price sheet, and the ledger's postings."""
    shop = make_shop()
    shop.photo_ivan.students.add(shop.ivan)
    shop.photo_masha.students.add(shop.masha)
    shop.photo_masha.school_class = shop.class_b
    shop.photo_masha.save(update_fields=["school_class"])
    body = jpeg_bytes(320, 240, seed=3)
    group = Photo(
        shoot=shop.shoot,
        school_class=shop.class_a,
        is_group=True,
        original_name=f"GROUP{tag}.jpg",
        content_hash="group",
        size_bytes=len(body),
        photographer=shop.manager,
    )
    group.original.save("GROUP.jpg", ContentFile(body), save=False)
    group.thumbnail.save("thumb-group.jpg", ContentFile(body[:2000]), save=False)
    group.save()
    group.students.add(shop.ivan, shop.masha)
    access_codes_issue(shoot=shop.shoot)
    parent = User.objects.create_user(
        email="mum@example.com", password=OWNER_PASSWORD, role=Role.PARENT
    )
    sheet = PriceSheet.objects.create(name=f"Autumn prices{tag}", currency="EUR")
    product = Product.objects.create(kind="digital", name="Digital file")
    PriceSheetItem.objects.create(sheet=sheet, product=product, price=Decimal("4.00"))
    PriceSheetAttachment.objects.create(sheet=sheet, school=shop.school)
    # The money events run as after a commit, so the ledger has the payments and the refund.
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = place_order(shop)
        first.parent = parent
        first.save(update_fields=["parent"])
        second = place_order(shop, email="dad@example.com")
        refund_record(order=second, amount=Decimal("2.50"), reason="late")
    return {"shop": shop, "parent": parent, "orders": [first, second], "group": group}


@pytest.fixture
def alpha_season(in_alpha, media_in_tmp):
    return season()
