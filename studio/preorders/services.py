"""Pre-orders: staff open them per picture day and issue class codes; checkout records which
lines are a pre-paid package; payment turns them into a credit; the parent spends it on the
child's photos once they are online; staff give back what stays unused."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from studio.access import codes
from studio.access.selectors import shoot_classes
from studio.catalogue.kinds import PackageKind
from studio.core.emails import Action, parent_email_send, parent_language
from studio.orders.models import Order, OrderLine, Refund
from studio.orders.selectors import order_page_url
from studio.payments.services import order_refund
from studio.shoots.models import Shoot
from tenants.selectors import current_studio, studio_url

from .models import Credit, CreditSlot, PreorderLink, PreorderSetup
from .selectors import (
    ONLINE_STATUSES,
    child_photos,
    class_photo_id,
    classes_without_link,
    credit_state,
    preorder_is_open,
    sheet_packages,
)


@transaction.atomic
def preorder_setup_update(*, shoot: Shoot, enabled: bool, package_ids) -> PreorderSetup:
    """Opens or closes pre-orders of a picture day and sets the packages offered, which must
    be on the day's price sheet."""
    package_ids = {int(pk) for pk in package_ids}
    allowed = set(sheet_packages(shoot=shoot).values_list("pk", flat=True))
    if package_ids - allowed:
        raise ValidationError(_("Choose packages of this picture day’s price sheet."))
    if enabled and not package_ids:
        raise ValidationError(_("Choose at least one package to offer."))
    if enabled and shoot.status in ONLINE_STATUSES:
        raise ValidationError(
            _("The photos of this picture day are online: parents buy from the gallery.")
        )
    setup, _created = PreorderSetup.objects.get_or_create(shoot=shoot)
    setup.enabled = enabled
    setup.save(update_fields=["enabled", "updated_at"])
    setup.packages.set(sorted(package_ids))
    return setup


def preorder_links_issue(*, shoot: Shoot, school_class=None) -> int:
    """A pre-order code for every class of the picture day that has none (or for
    ``school_class`` only, which must be one of the day's); returns how many were made. Codes
    come from the access codes' generator (60 random bits)."""
    missing = classes_without_link(shoot=shoot)
    if school_class is not None:
        if not shoot_classes(shoot=shoot).filter(pk=school_class.pk).exists():
            raise ValidationError(_("This class is not on this picture day."), code="wrong_class")
        missing = missing.filter(pk=school_class.pk)
    made = 0
    for each in missing:
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    PreorderLink.objects.create(
                        shoot=shoot, school_class=each, code=codes.generate()
                    )
            except IntegrityError:
                if PreorderLink.objects.filter(shoot=shoot, school_class=each).exists():
                    break
                continue
            made += 1
            break
    return made


def preorder_record(*, order: Order) -> list[Credit]:
    """Called by checkout in the order's transaction: each package line of a picture day open
    for pre-orders becomes a credit (not spendable until paid), and each line of a bundle
    waiting for a photo a slot. Contents follow their package line, in the package's order
    (``storefront.services._bundle_contents``): a class-photo part is one line, a chosen
    photo's part one line per print."""
    lines = list(order.lines.select_related("package", "shoot").order_by("pk"))
    credits = []
    for index, line in enumerate(lines):
        if not line.package_id or line.shoot is None or not preorder_is_open(shoot=line.shoot):
            continue
        package = line.package
        credit = Credit.objects.create(
            order=order,
            line=line,
            child_id=line.child_id,
            shoot=line.shoot,
            package=package,
            all_photos=package.kind == PackageKind.ALL_DIGITAL,
        )
        credits.append(credit)
        if package.kind != PackageKind.BUNDLE:
            continue
        following = iter(lines[index + 1 :])
        for part in package.items.select_related("product").all():
            count = 1 if part.class_photo or not part.product.requires_photo else part.quantity
            for _n in range(count):
                content = next(following, None)
                if content is None:  # the package's contents were not what checkout made
                    break
                if part.product.requires_photo:
                    CreditSlot.objects.create(
                        credit=credit, line=content, class_photo=part.class_photo
                    )
    return credits


def credits_activate(*, order: Order, now=None) -> int:
    """The order is paid: its pre-orders become credits (once)."""
    return Credit.objects.filter(order=order, credited_at__isnull=True).update(
        credited_at=now or timezone.now()
    )


def _check_spendable(credit: Credit, *, parent) -> None:
    if credit.order.parent_id is None or credit.order.parent_id != getattr(parent, "pk", None):
        raise ValidationError(_("This pre-paid package is not yours."), code="owner")
    if credit.credited_at is None or not credit.order.is_fulfillable:
        raise ValidationError(_("This pre-order is not paid yet."), code="unpaid")
    if credit.shoot.status not in ONLINE_STATUSES:
        raise ValidationError(_("The photos are not online yet."), code="not_online")


@transaction.atomic
def credit_pick(*, credit: Credit, parent, photo_ids, now=None) -> int:
    """Spends a bundle's credit on the child's photos: one free slot per photo, each slot
    filled once; picking more photos than free slots, or a photo that is not this child's, is
    refused whole. The class-photo slots take the class's group photo. Returns how many
    photos were placed. Prints and downloads then follow the order's usual fulfilment."""
    now = now or timezone.now()
    credit = (
        Credit.objects.select_for_update(of=("self",))
        .select_related("order", "child")
        .get(pk=credit.pk)
    )
    _check_spendable(credit, parent=parent)
    if credit.all_photos:
        raise ValidationError(_("This package already has every photo."), code="all")
    wanted = list(dict.fromkeys(int(pk) for pk in photo_ids))
    if not wanted:
        raise ValidationError(_("Choose at least one photo."), code="empty")
    allowed = set(child_photos(credit=credit).filter(pk__in=wanted).values_list("pk", flat=True))
    if set(wanted) - allowed:
        raise ValidationError(_("Only your child’s photos can be chosen."), code="photo")
    slots = list(
        CreditSlot.objects.select_for_update()
        .filter(credit=credit, picked_at__isnull=True, refunded=False)
        .order_by("pk")
    )
    free = [s for s in slots if not s.class_photo]
    if len(wanted) > len(free):
        raise ValidationError(
            ngettext(
                "Your package has %(count)d photo left to choose.",
                "Your package has %(count)d photos left to choose.",
                len(free),
            )
            % {"count": len(free)},
            code="too_many",
        )
    for slot, photo_id in zip(free, wanted, strict=False):
        _fill(slot, photo_id, now)
    group = class_photo_id(credit=credit)
    if group is not None:
        for slot in slots:
            if slot.class_photo:
                _fill(slot, group, now)
    return len(wanted)


def _fill(slot: CreditSlot, photo_id: int, now) -> None:
    OrderLine.objects.filter(pk=slot.line_id, photo__isnull=True).update(photo_id=photo_id)
    slot.picked_at = now
    slot.save(update_fields=["picked_at"])


def credit_refund_unused(*, credit: Credit, actor, idempotency_key: str | None = None):
    """Gives back what a credit left unused, through the order's refund (by card through
    Stripe, otherwise recorded): the unpicked slots close, and an "all photos" package not
    fulfilled closes its downloads. The ledger reverses it like any refund."""
    with transaction.atomic():
        credit = Credit.objects.select_for_update().get(pk=credit.pk)
        if idempotency_key:  # the same form again: the first refund, counted once
            existing = Refund.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        if credit.credited_at is None:
            raise ValidationError(_("This pre-order is not paid: there is nothing to refund."))
        state = credit_state(credit)
        amount = state.unused_amount
        if amount <= 0:
            raise ValidationError(_("Nothing of this pre-paid package is left unused."))
        slots = list(credit.slots.filter(picked_at__isnull=True, refunded=False))
        line_ids = [s.line_id for s in slots]
        if credit.all_photos or not credit.slots.filter(picked_at__isnull=False).exists():
            line_ids.append(credit.line_id)
        refund = order_refund(
            order=credit.order,
            amount=amount,
            actor=actor,
            reason=_("Unused pre-paid package: %(package)s") % {"package": credit.package.name},
            idempotency_key=idempotency_key,
            line_ids=line_ids,
        )
        CreditSlot.objects.filter(pk__in=[s.pk for s in slots]).update(refunded=True)
        credit.refunded_amount += refund.amount
        credit.save(update_fields=["refunded_amount"])
    return refund


def credits_online_email_send(*, shoot_id: int, request=None) -> int:
    """Tells each parent with a paid pre-order of the picture day, once, that its photos are
    online (sent after publishing). The e-mail never opens the gallery: the child's card code
    does, so a pre-order made for someone else's child shows nothing. Returns how many were
    sent."""
    studio = current_studio()
    sent = 0
    pending = Credit.objects.filter(
        shoot_id=shoot_id, credited_at__isnull=False, notified_at__isnull=True
    ).values_list("pk", flat=True)
    for credit_id in list(pending):
        with transaction.atomic():
            credit = (
                Credit.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("order__parent", "child", "shoot", "package")
                .filter(pk=credit_id, notified_at__isnull=True)
                .first()
            )
            if credit is None or credit.child is None or not credit.order.is_fulfillable:
                continue
            order = credit.order
            context = {
                "credit": credit,
                "gallery_link": studio_url(studio=studio, path="/", request=request),
                "order_link": order_page_url(order=order, studio=studio, request=request),
            }
            parent_email_send(
                studio=studio,
                to=[order.email],
                template="preorders/email/online",
                context=context,
                language=parent_language(studio=studio, email=order.email, parent=order.parent),
                action=Action(_lazy("Open the gallery"), context["gallery_link"]),
            )
            credit.notified_at = timezone.now()
            credit.save(update_fields=["notified_at"])
            sent += 1
    return sent
