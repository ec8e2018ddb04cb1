"""Access codes: issuing, regenerating, resolving what a parent typed, and e-mailing codes to
the parents on the roster.

Children flagged "do not publish" get a code like everyone else. The flag keeps *their
photos* out of every gallery (the gallery filters them out), but their parents may still buy
the class's group photos and are still told the picture day happened; with no code they would
have no way in at all. The staff list marks these children.

E-mails go out from a Celery task (one per code), never from the request: the "find my code"
page must answer as fast for a name on the roster as for one that is not, and a picture day's
worth of e-mails does not fit in a request.
"""

import datetime
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from saas_platform import ratelimit
from saas_platform.versions import versions_bump
from studio.core.emails import Action, parent_email_send
from studio.shoots.models import Shoot, ShootStatus
from tenants.models import Studio
from tenants.selectors import current_studio, studio_url

from . import codes
from .models import AccessCode, AccessCodeKind
from .selectors import live_codes, shoot_classes, shoot_students, student_live_code
from .state import Reason, access_code_state

# Codes of a picture day without a sales deadline stay valid this long after they are issued.
DEFAULT_LIFETIME = datetime.timedelta(days=180)


@dataclass(frozen=True)
class Resolution:
    code: AccessCode | None = None
    reason: Reason | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class IssueResult:
    classes: int
    students: int


@dataclass(frozen=True)
class EmailPlan:
    queued: int
    without_email: int


def access_code_expiry(*, shoot: Shoot, now: datetime.datetime) -> datetime.datetime:
    """Codes expire with the gallery: at the sales deadline (or the end of late orders, if
    later), or ``DEFAULT_LIFETIME`` after they are issued when the picture day has none."""
    return shoot.sales_close_at or now + DEFAULT_LIFETIME


def _fresh_codes(count: int) -> list[str]:
    """``count`` new codes that no row of this studio has ever had (a collision among 2⁶⁰ is
    not expected in the lifetime of the universe, but it costs one query to be sure)."""
    fresh: set[str] = set()
    while len(fresh) < count:
        batch = {codes.generate() for _ in range(count - len(fresh))} - fresh
        taken = set(AccessCode.objects.filter(code__in=batch).values_list("code", flat=True))
        fresh |= batch - taken
    return list(fresh)


@transaction.atomic
def access_codes_issue(*, shoot: Shoot, now: datetime.datetime | None = None) -> IssueResult:
    """A live code for every class of the picture day and every child in them that has none.
    Idempotent: a second run creates nothing; a child added to the roster later gets theirs."""
    now = now or timezone.now()
    shoot = Shoot.objects.select_for_update().get(pk=shoot.pk)
    live = live_codes(shoot=shoot)
    have_classes = set(
        live.filter(kind=AccessCodeKind.CLASS).values_list("school_class_id", flat=True)
    )
    have_students = set(
        live.filter(kind=AccessCodeKind.STUDENT).values_list("student_id", flat=True)
    )
    expires_at = access_code_expiry(shoot=shoot, now=now)
    new = [
        AccessCode(kind=AccessCodeKind.CLASS, shoot=shoot, school_class=school_class)
        for school_class in shoot_classes(shoot=shoot)
        if school_class.pk not in have_classes
    ]
    new_classes = len(new)
    new += [
        AccessCode(
            kind=AccessCodeKind.STUDENT,
            shoot=shoot,
            school_class_id=student.school_class_id,
            student=student,
        )
        for student in shoot_students(shoot=shoot).order_by("pk")
        if student.pk not in have_students
    ]
    for row, code in zip(new, _fresh_codes(len(new)), strict=True):
        row.code, row.created_at, row.expires_at = code, now, expires_at
    AccessCode.objects.bulk_create(new)
    return IssueResult(classes=new_classes, students=len(new) - new_classes)


@transaction.atomic
def access_code_regenerate(*, code: AccessCode, now: datetime.datetime | None = None) -> AccessCode:
    """Revokes ``code`` and issues its replacement (same picture day, class and child). The old
    code never works again; the new one has not been e-mailed yet."""
    now = now or timezone.now()
    old = AccessCode.objects.select_for_update().select_related("shoot").get(pk=code.pk)
    if old.revoked_at is not None:
        raise ValidationError(
            _("This code was revoked already; regenerate the code that replaced it."),
            code="revoked",
        )
    old.revoked_at = now
    old.save(update_fields=["revoked_at"])
    versions_bump("gallery", "withdrawn")  # the old code opens nothing from the next request
    new = AccessCode.objects.create(
        code=_fresh_codes(1)[0],
        kind=old.kind,
        shoot_id=old.shoot_id,
        school_class_id=old.school_class_id,
        student_id=old.student_id,
        created_at=now,
        expires_at=old.shoot.sales_close_at or old.expires_at,
    )
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    return new


def access_codes_sync_expiry(*, shoot: Shoot) -> int:
    """Live codes follow a changed sales deadline or end of late orders, whichever is later
    (a picture day without a deadline keeps its codes' default expiry)."""
    close_at = shoot.sales_close_at
    if close_at is None:
        return 0
    moved = live_codes(shoot=shoot).exclude(expires_at=close_at).update(expires_at=close_at)
    if moved:
        versions_bump("gallery", "withdrawn")
    return moved


def access_code_resolve(*, raw: str, now: datetime.datetime | None = None) -> Resolution:
    """The code a parent typed (forgivingly parsed), or why it opens nothing."""
    now = now or timezone.now()
    normalised = codes.parse(raw)
    if normalised is None:
        return Resolution(reason=Reason.MALFORMED)
    code = (
        AccessCode.objects.select_related("shoot", "school_class__school", "student")
        .filter(code=normalised)
        .first()
    )
    if code is None:
        return Resolution(reason=Reason.UNKNOWN)
    return Resolution(code=code, reason=access_code_state(code=code, now=now))


# --- e-mail ----------------------------------------------------------------------------------


def access_code_link(*, studio: Studio, code: AccessCode, request=None) -> str:
    """The storefront with the code filled in (what the QR code on the card opens)."""
    return studio_url(studio=studio, path=f"/?code={code.display}", request=request)


def _email_context(*, studio: Studio, code: AccessCode) -> dict:
    return {
        "studio": studio,
        "code": code,
        "student": code.student,
        "school_class": code.school_class,
        "school": code.school_class.school,
        "shoot": code.shoot,
        "link": access_code_link(studio=studio, code=code),
    }


def access_code_send_email(*, code_id: int, force: bool = False, language: str | None = None):
    """E-mails a child's live code to each parent address on the roster, one message per
    address (separated parents do not see each other's address), each in ``language`` (the
    asking parent's page) or the parent's own, and records when. Without
    ``force`` a code e-mailed before is not sent again. Returns the number of messages."""
    studio = current_studio()
    with transaction.atomic():
        code = (
            AccessCode.objects.select_for_update(of=("self",))
            .select_related("shoot", "school_class__school", "student")
            .filter(pk=code_id, kind=AccessCodeKind.STUDENT, revoked_at__isnull=True)
            .first()
        )
        if code is None or (code.emailed_at is not None and not force):
            return 0
        recipients = list(dict.fromkeys(email.lower() for email in code.student.parent_emails))
        if not recipients:
            return 0
        context = _email_context(studio=studio, code=code)
        parent_email_send(
            studio=studio,
            to=recipients,
            template="access/email/access_code",
            context=context,
            language=language,
            action=Action(_lazy("See the photos"), context["link"]),
        )
        code.emailed_at = timezone.now()
        code.save(update_fields=["emailed_at"])
    return len(recipients)


def _send_later(code: AccessCode, *, force: bool, language: str | None) -> None:
    from .tasks import send_access_code_email

    send_access_code_email.enqueue_on_commit(code.pk, force=force, language=language)


def access_codes_email_parents(*, shoot: Shoot, resend: bool = False) -> EmailPlan:
    """Queues an e-mail with each child's code to their roster parents: only codes not
    e-mailed yet, unless ``resend``. Each in the parent's language."""
    if shoot.status != ShootStatus.PUBLISHED:
        raise ValidationError(
            _("Publish the picture day before e-mailing parents: their links would not open."),
            code="not_published",
        )
    student_codes = live_codes(shoot=shoot).filter(kind=AccessCodeKind.STUDENT)
    to_send = student_codes.filter(student__parent_emails__len__gt=0)
    if not resend:
        to_send = to_send.filter(emailed_at__isnull=True)
    queued = 0
    for code in to_send.order_by("pk"):
        _send_later(code, force=resend, language=None)
        queued += 1
    return EmailPlan(
        queued=queued, without_email=student_codes.filter(student__parent_emails__len=0).count()
    )


def name_key(text: str) -> str:
    """A name as compared by "find my code": case, spacing and ё/е do not matter."""
    text = unicodedata.normalize("NFKC", text or "").casefold().replace("ё", "е")
    text = " ".join(text.split())
    return text.replace(" -", "-").replace("- ", "-")


def access_code_find_and_send(
    *,
    class_code: str,
    first_name: str,
    last_name: str,
    language: str | None = None,
    now: datetime.datetime | None = None,
) -> bool:
    """ "Find my code": when ``class_code`` is a live class code and a child of that class has
    this name (either order), queues an e-mail with the child's code to the roster parents.
    The answer is for tests only; the page says the same thing whatever happens."""
    resolution = access_code_resolve(raw=class_code, now=now)
    found = resolution.code
    if (
        found is None
        or found.kind != AccessCodeKind.CLASS
        or resolution.reason not in (None, Reason.NOT_OPEN)
    ):
        return False
    first, last = name_key(first_name), name_key(last_name)
    if not first or not last:
        return False
    wanted = {(first, last), (last, first)}
    queued = False
    for student in found.school_class.students.all():
        if (name_key(student.first_name), name_key(student.last_name)) not in wanted:
            continue
        code = student_live_code(shoot_id=found.shoot_id, student_id=student.pk)
        if code is None or not student.parent_emails:
            continue
        limit = ratelimit.FIND_MAILS_PER_STUDENT
        allowed = ratelimit.hit(
            key=f"find:student:{student.pk}", limit=limit.limit, window_seconds=limit.window_seconds
        )
        if isinstance(allowed, ratelimit.Blocked):
            continue
        _send_later(code, force=True, language=language)
        queued = True
    return queued
