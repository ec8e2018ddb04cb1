"""Changing the yearbook side of a picture day: the pose deadline, each child's pose (by the
studio, or by a parent until the deadline), and starting exports and composites. Every pose
choice is appended to ``PoseChoice`` in the same transaction as the change."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from studio.core.policy import Action, require
from studio.photos.models import Photo
from studio.schools.models import School, SchoolClass, Student

from .models import (
    Composite,
    JobStatus,
    Pose,
    PoseChoice,
    PoseSource,
    YearbookExport,
    YearbookSettings,
)
from .selectors import portraits, pose_locked
from .tasks import build_composite, build_yearbook_export


def pose_deadline_set(*, actor, shoot, deadline) -> YearbookSettings:
    """Managers set until when parents may choose a pose (None: no deadline)."""
    require(actor, Action.MANAGE_SHOOTS)
    row, _created = YearbookSettings.objects.update_or_create(
        shoot=shoot, defaults={"pose_deadline": deadline}
    )
    return row


def _pose_set(*, shoot, student: Student, photo: Photo, source: str, actor, label: str) -> Pose:
    if student.school_class.school_id != shoot.school_id:
        raise ValidationError(_("This child is not on this picture day."), code="wrong_child")
    if not portraits(shoot=shoot, student=student).filter(pk=photo.pk).exists():
        raise ValidationError(
            _("Only a ready portrait of this child alone can be their yearbook photo."),
            code="not_a_portrait",
        )
    with transaction.atomic():
        now = timezone.now()
        list(Student.objects.select_for_update().filter(pk=student.pk))
        pose, _created = Pose.objects.update_or_create(
            shoot=shoot,
            student=student,
            defaults={
                "photo": photo,
                "source": source,
                "chosen_by": actor if actor is not None and actor.is_authenticated else None,
                "chosen_at": now,
            },
        )
        PoseChoice.objects.create(
            shoot=shoot,
            student=student,
            photo=photo,
            photo_name=photo.original_name,
            source=source,
            actor=pose.chosen_by,
            actor_label=label[:254],
        )
    return pose


def pose_choose(*, actor, shoot, student: Student, photo: Photo) -> Pose:
    """The studio chooses a child's pose; staff may change it after the parents' deadline."""
    require(actor, Action.MANAGE_SHOOTS)
    return _pose_set(
        shoot=shoot,
        student=student,
        photo=photo,
        source=PoseSource.STAFF,
        actor=actor,
        label=actor.email,
    )


def pose_choose_by_parent(
    *, shoot, student: Student, photo: Photo, user=None, code_label: str = "", now=None
) -> Pose:
    """A parent holding the child's access code chooses another pose, until the picture
    day's deadline; afterwards the choice is locked. The caller has checked the code."""
    if pose_locked(shoot=shoot, now=now):
        raise ValidationError(
            _("The yearbook photo can no longer be changed: the deadline has passed."),
            code="locked",
        )
    signed_in = user is not None and user.is_authenticated
    label = user.email if signed_in else _("access code %(code)s") % {"code": code_label}
    return _pose_set(
        shoot=shoot,
        student=student,
        photo=photo,
        source=PoseSource.PARENT,
        actor=user if signed_in else None,
        label=label,
    )


# --------------------------------------------------------------------------- exports


def yearbook_export_start(*, actor, shoot=None, school=None) -> YearbookExport:
    """Queues a PSPA export of a picture day (``shoot``) or of a whole ``school``; one of
    the same scope already waiting or running is returned instead of a second."""
    require(actor, Action.MANAGE_SHOOTS)
    school = shoot.school if shoot is not None else school
    with transaction.atomic():
        list(School.objects.select_for_update().filter(pk=school.pk))
        pending = YearbookExport.objects.filter(
            school=school, shoot=shoot, status__in=(JobStatus.QUEUED, JobStatus.RUNNING)
        ).first()
        if pending is not None:
            return pending
        export = YearbookExport.objects.create(school=school, shoot=shoot, created_by=actor)
        build_yearbook_export.enqueue_on_commit(export.pk)
    return export


# --------------------------------------------------------------------------- composites


def composite_request(
    *, actor, shoot, school_class: SchoolClass, title: str | None = None, order=None
) -> Composite:
    """Creates or updates the class's composite (title, order of children) and queues its
    (re)generation. Order: the class's student ids; others follow by name."""
    require(actor, Action.MANAGE_SHOOTS)
    if school_class.school_id != shoot.school_id:
        raise ValidationError(_("This class is not on this picture day."), code="wrong_class")
    if order is not None:
        valid = set(school_class.students.values_list("pk", flat=True))
        order = [int(pk) for pk in order if int(pk) in valid]
    with transaction.atomic():
        composite, created = Composite.objects.select_for_update().get_or_create(
            shoot=shoot,
            school_class=school_class,
            defaults={"updated_by": actor, "title": title or "", "order": order or []},
        )
        if not created:
            if title is not None:
                composite.title = title
            if order is not None:
                composite.order = order
        composite.updated_by = actor
        composite.status = JobStatus.QUEUED
        composite.error = ""
        composite.save()
        build_composite.enqueue_on_commit(composite.pk)
    return composite


def composites_forget_child(*, student: Student) -> list[int]:
    """Called by the child's erasure, inside its transaction and before the child's tags
    go: every composite showing the child loses their name now and is drawn again without
    them once the erasure commits, the earlier drawings' files deleted. Returns their ids."""
    affected = list(
        Composite.objects.select_for_update().filter(photo__students=student).order_by("pk")
    )
    for composite in affected:
        composite.order = [pk for pk in composite.order if pk != student.pk]
        composite.names = []
        composite.status = JobStatus.QUEUED
        composite.save(update_fields=["order", "names", "status"])
        build_composite.enqueue_on_commit(composite.pk, True)
    return [composite.pk for composite in affected]
