"""What pre-orders offer and what a credit still holds."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from saas_platform.money import quantize
from studio.access import codes
from studio.access.selectors import shoot_classes
from studio.catalogue.models import Package
from studio.catalogue.selectors import price_sheet_for
from studio.photos.models import Photo
from studio.photos.selectors import photos_parents_may_see
from studio.schools.models import SchoolClass, Student, hidden_students_q
from studio.shoots.models import Shoot, ShootStatus

from .models import Credit, PreorderLink, PreorderSetup

ZERO = Decimal("0")
# Once the photos are online the parent buys from the gallery: pre-orders are over.
ONLINE_STATUSES = frozenset({ShootStatus.PUBLISHED, ShootStatus.CLOSED})


def preorder_setup_for(*, shoot: Shoot) -> PreorderSetup:
    """The picture day's setup (an unsaved, closed one when staff never opened it)."""
    return PreorderSetup.objects.filter(shoot=shoot).first() or PreorderSetup(shoot=shoot)


def preorder_is_open(*, shoot: Shoot) -> bool:
    """Staff opened pre-orders and the photos are not online yet."""
    return (
        shoot.status not in ONLINE_STATUSES
        and PreorderSetup.objects.filter(shoot=shoot, enabled=True).exists()
    )


def sheet_packages(*, shoot: Shoot):
    """The active packages of the picture day's price sheet: what staff may offer."""
    sheet = price_sheet_for(shoot=shoot)
    if sheet is None:
        return Package.objects.none()
    return sheet.packages.filter(active=True).order_by("price", "name", "pk")


def preorder_packages(*, shoot: Shoot):
    """The packages parents may pre-order: chosen by staff and still on the day's sheet."""
    setup = PreorderSetup.objects.filter(shoot=shoot, enabled=True).first()
    if setup is None:
        return Package.objects.none()
    return sheet_packages(shoot=shoot).filter(pk__in=setup.packages.values("pk"))


def preorder_link_find(*, raw: str) -> PreorderLink | None:
    """The class pre-order code typed (or in the link), when its picture day takes
    pre-orders; None otherwise, whatever the reason (no hints for guessers)."""
    normalised = codes.parse(raw)
    if normalised is None:
        return None
    link = (
        PreorderLink.objects.select_related("shoot__school", "school_class")
        .filter(code=normalised)
        .first()
    )
    if link is None or not preorder_is_open(shoot=link.shoot):
        return None
    return link


def preorder_links(*, shoot: Shoot) -> list[PreorderLink]:
    return list(PreorderLink.objects.filter(shoot=shoot).select_related("school_class"))


def classes_without_link(*, shoot: Shoot):
    return shoot_classes(shoot=shoot).exclude(
        pk__in=PreorderLink.objects.filter(shoot=shoot).values("school_class_id")
    )


def roster_names(*, school_class: SchoolClass) -> list[tuple[int, str]]:
    """The class as parents see it when pre-ordering: first name and the last name's
    initial only, never a hidden child."""
    students = (
        Student.objects.filter(school_class=school_class)
        .exclude(hidden_students_q())
        .order_by("first_name", "last_name", "pk")
    )
    return [
        (s.pk, f"{s.first_name} {s.last_name[:1]}.".strip() if s.last_name else s.first_name)
        for s in students
    ]


def _name_key(text: str) -> str:
    return " ".join(text.casefold().replace("ё", "е").split())


def roster_child(*, school_class: SchoolClass, child_id=None, typed_name: str = ""):
    """The child chosen from the roster, or whose full name was typed (first and last name in
    either order); None when there is no such child to pre-order for."""
    students = Student.objects.filter(school_class=school_class).exclude(hidden_students_q())
    if child_id:
        return students.filter(pk=child_id).first()
    wanted = _name_key(typed_name)
    if not wanted:
        return None
    for student in students:
        first, last = _name_key(student.first_name), _name_key(student.last_name)
        if wanted in (f"{first} {last}", f"{last} {first}"):
            return student
    return None


# --------------------------------------------------------------------------- credits


@dataclass
class CreditState:
    credit: Credit
    slots: int  # lines waiting for a photo (class photo included)
    picked: int
    refunded_slots: int
    class_slots: int
    photos_online: bool  # the picture day is published and the child has photos in it
    unused_amount: Decimal  # what staff may still give back

    @property
    def free(self) -> int:
        """Slots still to fill: photos the parent may pick, the class photo aside."""
        return self.slots - self.picked - self.refunded_slots

    @property
    def free_picks(self) -> int:
        """Photos the parent may still pick: none once the order no longer holds the money
        (refunded in full or cancelled through the order itself)."""
        if not self.credit.order.is_fulfillable:
            return 0
        class_free = sum(
            1
            for s in self.credit.slots.all()
            if s.class_photo and s.picked_at is None and not s.refunded
        )
        return self.free - class_free

    @property
    def fulfilled(self) -> bool:
        if self.credit.all_photos:
            return self.photos_online and self.unused_amount == ZERO
        return self.free == 0

    @property
    def is_open(self) -> bool:
        """Something of it is still unused."""
        return self.unused_amount > ZERO


def child_photos(*, credit: Credit):
    """The photos a credit may be spent on: the child's own ready, visible photos of the
    pre-ordered picture day (never another child's, never a hidden child's)."""
    if credit.child_id is None:
        return Photo.objects.none()
    return photos_parents_may_see(
        Photo.objects.filter(shoot_id=credit.shoot_id, students=credit.child_id)
    ).order_by("original_name", "pk")


def class_photo_id(*, credit: Credit) -> int | None:
    if credit.child is None:
        return None
    return (
        photos_parents_may_see(
            Photo.objects.filter(
                shoot_id=credit.shoot_id,
                school_class_id=credit.child.school_class_id,
                is_group=True,
            )
        )
        .order_by("original_name", "pk")
        .values_list("pk", flat=True)
        .first()
    )


def credit_state(credit: Credit) -> CreditState:
    slots = list(credit.slots.all())
    picked = sum(1 for s in slots if s.picked_at)
    refunded_slots = sum(1 for s in slots if s.refunded)
    net, currency = credit.line.net, credit.order.currency
    online = credit.shoot.status in ONLINE_STATUSES and child_photos(credit=credit).exists()
    if credit.all_photos:
        unused = ZERO if online else net - credit.refunded_amount
    elif slots:
        unused = net - quantize(net * picked / len(slots), currency) - credit.refunded_amount
    else:
        unused = ZERO
    unused = min(max(unused, ZERO), max(credit.order.held, ZERO))
    return CreditState(
        credit=credit,
        slots=len(slots),
        picked=picked,
        refunded_slots=refunded_slots,
        class_slots=sum(1 for s in slots if s.class_photo),
        photos_online=online,
        unused_amount=unused,
    )


def _credits():
    return (
        Credit.objects.filter(credited_at__isnull=False)
        .select_related("order", "line", "child", "shoot", "package")
        .prefetch_related("slots")
    )


def parent_credits(*, parent, child_ids=None) -> list[CreditState]:
    """The paid pre-orders of a parent's orders (of these children, when given)."""
    if parent is None or not parent.is_authenticated:
        return []
    credits = _credits().filter(order__parent=parent)
    if child_ids is not None:
        credits = credits.filter(child_id__in=list(child_ids))
    return [credit_state(c) for c in credits]


def parent_credit(*, parent, credit_id) -> Credit | None:
    """One of the parent's paid credits; None for anyone else's."""
    if parent is None or not parent.is_authenticated:
        return None
    return _credits().filter(order__parent=parent, pk=credit_id).first()


def order_credits(*, order) -> list[CreditState]:
    return [credit_state(c) for c in _credits().filter(order=order)]


def shoot_credits(*, shoot: Shoot) -> list[CreditState]:
    return [credit_state(c) for c in _credits().filter(shoot=shoot)]


def shoots_for_preorders():
    return (
        Shoot.objects.select_related("school")
        .filter(~Q(status=ShootStatus.CLOSED))
        .order_by("-date", "-pk")
    )
