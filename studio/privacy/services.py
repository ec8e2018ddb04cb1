"""Consent to publish, and erasing a child.

Consent: the studio publishes versioned texts; a decision (given or withdrawn) is recorded
against the current version with who made it (staff or a parent) and when, and sets the
child's ``publish_consent``, which every gallery reads (``Student.is_hidden``).

Erasure: a child leaves no trace but money. Their own photos go (rows, originals, retouched
versions, renditions, review copies), class group photos and photos shared with another child
(siblings together) lose the tag, their access codes go
(and with them the families' hold on them), orders keep their lines and amounts but no line
names the child, downloads that were only the child's are revoked. The ledger, which holds
ids and amounts only, is not touched.
"""

from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _

from saas_platform.accounts.models import Role
from saas_platform.versions import versions_bump
from studio.access.models import AccessCode
from studio.audit.models import AuditKind
from studio.audit.services import audit_record
from studio.downloads.models import DownloadGrant
from studio.downloads.services import download_grant_revoke
from studio.orders.models import Order, OrderLine
from studio.photos.models import Photo, PhotoVersion
from studio.schools.models import PublishConsent, Student
from studio.yearbook.services import composites_forget_child

from .models import ConsentDecision, ConsentRecord, ConsentSource, ConsentText
from .selectors import photos_alone, photos_of_child, photos_shared
from .signals import child_erased, publish_consent_changed

# --------------------------------------------------------------------------- consent


def consent_text_current() -> ConsentText | None:
    return ConsentText.objects.order_by("-version").first()


@transaction.atomic
def consent_text_publish(*, actor, body: str) -> ConsentText:
    """A new version; decisions already recorded keep pointing at the one they saw."""
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write the consent text."), code="empty")
    # one version at a time: a second publisher waits for the first (and the unique
    # version refuses the rare tie on the very first one)
    ConsentText.objects.select_for_update().order_by("-version").first()
    version = (ConsentText.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    text = ConsentText.objects.create(version=version, body=body, created_by=actor)
    audit_record(
        actor=actor,
        kind=AuditKind.CONSENT_TEXT_PUBLISHED,
        subject=f"v{version}",
        changes=[{"field": "version", "old": version - 1 or None, "new": version}],
    )
    return text


def _shoot_ids(student: Student) -> list[int]:
    codes = set(AccessCode.objects.filter(student=student).values_list("shoot_id", flat=True))
    photos = set(Photo.objects.filter(students=student).values_list("shoot_id", flat=True))
    return sorted(codes | photos)


@transaction.atomic
def consent_record(
    *, student: Student, decision: str, source: str, actor, note: str = ""
) -> ConsentRecord:
    """Records a decision against the current text and makes it the child's state. A
    withdrawal hides the child from every gallery from the next request on."""
    decision = ConsentDecision(decision)
    source = ConsentSource(source)
    text = consent_text_current()
    if text is None:
        raise ValidationError(_("The studio has not published a consent text yet."), code="no_text")
    student = Student.objects.select_for_update().get(pk=student.pk)
    record = ConsentRecord.objects.create(
        student=student,
        decision=decision,
        text=text,
        source=source,
        recorded_by=actor,
        recorded_by_email=getattr(actor, "email", "") or "",
        note=(note or "").strip()[:300],
    )
    before = student.publish_consent
    student.publish_consent = PublishConsent(decision.value)
    student.save(update_fields=["publish_consent"])
    if source == ConsentSource.STAFF:
        audit_record(
            actor=actor,
            kind=AuditKind.CONSENT_RECORDED,
            subject=f"student #{student.pk}",
            changes=[{"field": "publish_consent", "old": before, "new": student.publish_consent}],
        )
    payload = {
        "student_id": student.pk,
        "school_class_id": student.school_class_id,
        "shoot_ids": _shoot_ids(student),
    }
    transaction.on_commit(lambda: publish_consent_changed.send(sender=Student, **payload))
    # a withdrawal hides the child's photos from the next request, signed links included
    versions_bump("gallery", *(["withdrawn"] if student.is_hidden else []))
    return record


def consent_history(*, student: Student):
    return ConsentRecord.objects.filter(student=student).select_related("text")


# --------------------------------------------------------------------------- erasure


@dataclass
class ErasureReport:
    photos_deleted: int = 0
    group_photos_untagged: int = 0
    files_deleted: int = 0
    access_codes_deleted: int = 0
    order_lines_kept: int = 0
    downloads_revoked: int = 0


def _photo_files(photos: list[Photo]) -> list[tuple[object, str]]:
    """Every stored file of these photos: (storage, name)."""
    files = []
    for photo in photos:
        for field_file in (photo.original, photo.thumbnail, photo.preview):
            if field_file:
                files.append((field_file.storage, field_file.name))
        files.append((photo.original.storage, f"review/photo-{photo.pk}.jpg"))
    for version in PhotoVersion.objects.filter(photo__in=photos):
        files.append((version.file.storage, version.file.name))
        files.append((version.file.storage, f"review/version-{version.pk}.jpg"))
    return files


def _delete_files(files) -> int:
    deleted = 0
    for storage, name in files:
        if storage.exists(name):
            storage.delete(name)
            deleted += 1
    return deleted


@transaction.atomic
def child_erase(*, student: Student, actor) -> ErasureReport:
    """Erases the child (see the module's docstring); files are deleted once the erasure has
    committed. The audit entry names the child by id only."""
    student = Student.objects.select_for_update().get(pk=student.pk)
    report = ErasureReport()
    payload = {
        "student_id": student.pk,
        "school_class_id": student.school_class_id,
        "shoot_ids": _shoot_ids(student),
    }

    composites_forget_child(student=student)  # before the tags go: they find the composites
    tagged = photos_of_child(student)
    shared = list(photos_shared(tagged))
    student.photos.remove(*shared)
    report.group_photos_untagged = len(shared)
    own = list(photos_alone(tagged).select_related("approved_version"))
    files = _photo_files(own)
    report.photos_deleted = len(own)
    Photo.objects.filter(pk__in=[p.pk for p in own]).delete()  # order lines keep no photo

    codes = list(AccessCode.objects.filter(student=student).values_list("pk", flat=True))
    AccessCode.objects.filter(Q(pk__in=codes) | Q(replaced_by__in=codes)).update(replaced_by=None)
    AccessCode.objects.filter(pk__in=codes).delete()  # families' holds on them go too
    report.access_codes_deleted = len(codes)

    lines = OrderLine.objects.filter(child=student)
    order_ids = set(lines.values_list("order_id", flat=True))
    # orders that were this child's alone: their download links are withdrawn
    only_child = (
        Order.objects.filter(pk__in=order_ids)
        .annotate(others=Count("lines", filter=~Q(lines__child=student)))
        .filter(others=0)
        .values_list("pk", flat=True)
    )
    for order in Order.objects.filter(pk__in=list(only_child)):
        grant = DownloadGrant.objects.filter(order=order, revoked_at__isnull=True).first()
        if grant is not None:
            download_grant_revoke(order=order, reason="child erased")
            report.downloads_revoked += 1
    report.order_lines_kept = lines.update(child=None)

    student.delete()  # consent records and cart items go with the row
    audit_record(
        actor=actor,
        kind=AuditKind.CHILD_ERASED,
        subject=f"student #{payload['student_id']}",
        changes=[{"field": k, "old": v, "new": 0} for k, v in asdict(report).items() if v],
    )

    def after_commit():
        report.files_deleted = _delete_files(files)
        child_erased.send(sender=Student, **payload)

    transaction.on_commit(after_commit)
    versions_bump("gallery", "withdrawn")
    return report


# --------------------------------------------------------------------------- parents


def parent_may_decide(*, parent, student_id: int) -> Student | None:
    """The child, when ``parent`` is a parent whose account holds one of the child's live
    access codes; otherwise None (whatever the id)."""
    if parent is None or not parent.is_authenticated or parent.role != Role.PARENT:
        return None
    return (
        Student.objects.filter(
            pk=student_id,
            access_codes__families__parent=parent,
            access_codes__revoked_at__isnull=True,
        )
        .distinct()
        .first()
    )
