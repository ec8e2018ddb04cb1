"""Reads of access codes: which classes a picture day covers, the staff lists, the codes a
parent has opened in this browser."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from saas_platform.versions import versions_get_with
from studio.schools.models import SchoolClass, Student
from studio.schools.roster import current_school_year
from studio.shoots.models import Shoot

from .models import AccessCode, AccessCodeKind
from .state import access_code_state

SESSION_KEY = "access_code_ids"
SESSION_MAX_CODES = 20


def shoot_classes(*, shoot: Shoot):
    """The classes a picture day covers: its school's classes of the school year the day falls
    in, and any other class its photos were tagged with."""
    return SchoolClass.objects.filter(
        Q(school_id=shoot.school_id, school_year=current_school_year(shoot.date))
        | Q(pk__in=shoot.photos.exclude(school_class=None).values("school_class_id"))
    ).order_by("name", "pk")


def shoot_students(*, shoot: Shoot):
    return Student.objects.filter(school_class__in=shoot_classes(shoot=shoot))


def live_codes(*, shoot: Shoot):
    return AccessCode.objects.filter(shoot=shoot, revoked_at__isnull=True)


def access_code_list(*, shoot: Shoot) -> list[AccessCode]:
    """The picture day's live codes for the staff page: class by class, the class code first,
    then the children by name."""
    return list(
        live_codes(shoot=shoot)
        .select_related("school_class", "student")
        .order_by(
            "school_class__name",
            "school_class_id",
            "kind",
            "student__last_name",
            "student__first_name",
            "pk",
        )
    )


def access_code_summary(*, shoot: Shoot) -> dict:
    live = live_codes(shoot=shoot)
    student_codes = live.filter(kind=AccessCodeKind.STUDENT)
    counts = student_codes.aggregate(
        students=Count("pk"),
        emailed=Count("pk", filter=Q(emailed_at__isnull=False)),
        without_email=Count("pk", filter=Q(student__parent_emails__len=0)),
        to_email=Count("pk", filter=Q(emailed_at__isnull=True, student__parent_emails__len__gt=0)),
    )
    counts["with_email"] = counts["students"] - counts["without_email"]
    counts["classes"] = live.filter(kind=AccessCodeKind.CLASS).count()
    counts["revoked"] = AccessCode.objects.filter(shoot=shoot, revoked_at__isnull=False).count()
    counts["missing"] = (
        shoot_students(shoot=shoot).exclude(pk__in=student_codes.values("student_id")).count()
        + shoot_classes(shoot=shoot).exclude(pk__in=live.values("school_class_id")).count()
    )
    return counts


def card_codes(*, shoot: Shoot, kind: str = AccessCodeKind.STUDENT) -> list[AccessCode]:
    """Live codes to print, class by class and by name."""
    return [code for code in access_code_list(shoot=shoot) if code.kind == kind]


def shoots_with_code_counts():
    return Shoot.objects.select_related("school").annotate(
        live_codes=Count("access_codes", filter=Q(access_codes__revoked_at__isnull=True))
    )


def student_live_code(*, shoot_id: int, student_id: int) -> AccessCode | None:
    return AccessCode.objects.filter(
        shoot_id=shoot_id,
        student_id=student_id,
        kind=AccessCodeKind.STUDENT,
        revoked_at__isnull=True,
    ).first()


def session_code_ids(session) -> list[int]:
    ids = session.get(SESSION_KEY) or []
    return [i for i in ids if isinstance(i, int)]


def access_codes_in_session(*, session, now=None) -> list[AccessCode]:
    """The codes this browser opened that still open a gallery (checked again on every call:
    a code revoked or expired since drops out), as rows. The gallery reads ``opened_codes``."""
    now = now or timezone.now()
    ids = session_code_ids(session)
    found = AccessCode.objects.filter(pk__in=ids).select_related(
        "shoot", "school_class__school", "student"
    )
    by_id = {code.pk: code for code in found}
    return [
        by_id[i] for i in ids if i in by_id and access_code_state(code=by_id[i], now=now) is None
    ]


@dataclass(frozen=True)
class OpenedCode:
    """What one opened code shows, as the gallery needs it: a few ids and names, no rows."""

    pk: int
    kind: str
    shoot_id: int
    shoot_name: str
    school_class_id: int | None
    class_name: str
    student_id: int | None
    student_name: str
    student_hidden: bool
    until: datetime.datetime  # the code's expiry or the sales deadline, whichever comes first
    # The picture day's late orders, for the gallery's notice (defaults: entries cached before).
    sales_deadline: datetime.datetime | None = None
    late_orders_until: datetime.datetime | None = None
    late_fee: Decimal = Decimal("0")

    def late_at(self, now: datetime.datetime) -> bool:
        """Whether an order placed ``now`` pays this picture day's late fee."""
        return bool(
            self.late_fee
            and self.sales_deadline
            and self.late_orders_until
            and self.sales_deadline <= now < self.late_orders_until
        )


# Entries carry the studio's "gallery" version they were read at, and one of another version
# is read again, so they are never stale; the timeout only lets codes no one opens any more
# leave the cache.
OPENED_CODE_SECONDS = 24 * 3600


def _opened(code: AccessCode, now) -> OpenedCode | bool:
    if access_code_state(code=code, now=now) is not None:
        return False  # revoked, expired or not open: only a staff change brings it back
    shoot = code.shoot
    until = min(filter(None, (code.expires_at, shoot.sales_close_at)))
    return OpenedCode(
        pk=code.pk,
        kind=code.kind,
        shoot_id=code.shoot_id,
        shoot_name=shoot.name,
        school_class_id=code.school_class_id,
        class_name=code.school_class.name if code.school_class_id else "",
        student_id=code.student_id,
        student_name=code.student.full_name if code.student_id else "",
        student_hidden=bool(code.student_id and code.student.is_hidden),
        until=until,
        sales_deadline=shoot.sales_deadline,
        late_orders_until=shoot.late_orders_until,
        late_fee=shoot.late_fee,
    )


def opened_codes(*, session, now=None) -> list[OpenedCode]:
    """The codes this browser opened that open a gallery now, in the order they were opened.
    Each is resolved once per version of the studio's galleries (``saas_platform.versions``:
    revoking a code, moving a deadline, closing a picture day, hiding a child bump it) and
    kept with that version, so a warm call is one cache round trip and no query; expiry is
    checked here on every call."""
    ids = list(dict.fromkeys(session_code_ids(session)))
    if not ids:
        return []
    now = now or timezone.now()
    keys = {i: f"opened-code:{i}" for i in ids}
    versions, found = versions_get_with(["gallery"], list(keys.values()))
    version = versions["gallery"]
    opened = {}
    for i in ids:
        entry = found.get(keys[i])
        if isinstance(entry, tuple) and entry[0] == version:
            opened[i] = entry[1]
    missing = [i for i in ids if i not in opened]
    if missing:
        rows = AccessCode.objects.filter(pk__in=missing).select_related(
            "shoot", "school_class", "student"
        )
        fresh = {code.pk: _opened(code, now) for code in rows}
        opened.update({i: fresh.get(i, False) for i in missing})
        cache.set_many({keys[i]: (version, opened[i]) for i in missing}, OPENED_CODE_SECONDS)
    return [code for i in ids if (code := opened[i]) and code.until > now]
