"""The parent's side of yearbook poses: on the full view of a photo of their child, "Use for
the yearbook" until the picture day's pose deadline, then the choice shown as locked. Who
may choose is whoever holds the child's access code in this browser (as for buying)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from studio.access.models import AccessCodeKind
from studio.schools.models import Student
from studio.yearbook.selectors import portraits, pose_deadline, pose_photo
from studio.yearbook.services import pose_choose_by_parent

from .selectors import opened_child_code, photo_offer_target


def photo_pose_state(*, photo, section, child_id) -> dict | None:
    """What the photo page says about the yearbook: None unless the photo is a portrait of
    this child alone (the child's own section, not a class photo)."""
    if not child_id or section.kind != AccessCodeKind.STUDENT:
        return None
    student = Student(pk=child_id)  # the code was checked; only its id is needed
    if not portraits(shoot=photo.shoot_id, student=student).filter(pk=photo.pk).exists():
        return None
    chosen = pose_photo(shoot=photo.shoot_id, student=student)
    deadline = pose_deadline(shoot=photo.shoot_id)
    return {
        "chosen": chosen is not None and chosen.pk == photo.pk,
        "chosen_name": chosen.original_name if chosen else "",
        "locked": deadline is not None and timezone.now() >= deadline,
        "deadline": deadline,
    }


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_POST
def yearbook_pose_choose(request, photo_id):
    child_id = _int(request.POST.get("child"))
    target = photo_offer_target(session=request.session, photo_id=photo_id, child_id=child_id)
    if target is None or target[1] is None:
        raise Http404
    photo, child_id = target
    code = opened_child_code(session=request.session, shoot_id=photo.shoot_id, child_id=child_id)
    if code is None:
        raise Http404
    student = get_object_or_404(Student, pk=child_id)
    try:
        pose_choose_by_parent(
            shoot=photo.shoot,
            student=student,
            photo=photo,
            user=request.user,
            code_label=f"#{code.pk}",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("This photo will be %(name)s’s photo in the yearbook.") % {"name": student.full_name},
        )
    return redirect(f"/gallery/{photo.pk}/?child={child_id}")
