from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from studio.core.policy import Action, may, require
from studio.schools.models import SchoolClass, Student
from studio.shoots.models import ShootStatus
from studio.shoots.selectors import shoots_visible_to
from studio.shoots.services import (
    shoot_accepts_uploads,
    shoot_moves,
    shoot_publish_blockers,
)

from . import imaging
from .models import PhotoStatus, PhotoVersion, RetouchStatus
from .selectors import photos_selected, photos_visible_to, shoot_progress
from .services.processing import photo_retry, review_image
from .services.tagging import photos_assign, photos_tag_from_csv


@login_required
def picture_day(request, pk):
    """The picture day's page: its status, upload, processing progress and the photo grid."""
    require(request.user, Action.VIEW_PRODUCTION)
    shoot = get_object_or_404(shoots_visible_to(user=request.user), pk=pk)
    photos = (
        shoot.photos.select_related("school_class")
        .prefetch_related("students")
        .order_by("original_name", "id")
    )
    status_filter = request.GET.get("status")
    if status_filter in PhotoStatus.values:
        photos = photos.filter(status=status_filter)
    classes = SchoolClass.objects.filter(school=shoot.school_id).prefetch_related("students")
    forward, backward = shoot_moves(shoot)
    can_manage = may(request.user, Action.MANAGE_SHOOTS)
    return render(
        request,
        "shoots/detail.html",
        {
            "shoot": shoot,
            "photos": photos,
            "classes": classes,
            "has_students": Student.objects.filter(school_class__school=shoot.school_id).exists(),
            "progress": shoot_progress(shoot=shoot),
            "can_upload": may(request.user, Action.UPLOAD_PHOTOS, shoot)
            and shoot_accepts_uploads(shoot),
            "can_manage": can_manage,
            # once published, the next step is getting the codes to the parents
            "can_share_codes": shoot.status == ShootStatus.PUBLISHED
            and may(request.user, Action.PUBLISH_GALLERY),
            "forward_statuses": forward,
            "backward_statuses": backward,
            # What stops publishing, said before anyone presses the button.
            "publish_blockers": shoot_publish_blockers(shoot=shoot)
            if can_manage and ShootStatus.PUBLISHED in forward
            else [],
            "retouch_submitted": shoot.photos.filter(
                retouch_status=RetouchStatus.SUBMITTED
            ).count(),
        },
    )


@login_required
@require_POST
def photos_bulk_action(request, shoot_id):
    """The grid's multi-select: tag with a class / students / group, or retry (sending to
    retouching is the retouching app's, ``retouching:send``, from the same form)."""
    require(request.user, Action.MANAGE_SHOOTS)
    shoot = get_object_or_404(shoots_visible_to(user=request.user), pk=shoot_id)
    photos = photos_selected(user=request.user, shoot=shoot, ids=request.POST.getlist("photos"))
    if not photos:
        messages.error(request, _("Select at least one photo."))
        return redirect("picture_day:detail", shoot.pk)
    action = request.POST.get("action")
    if action == "assign":
        school_class = None
        if request.POST.get("school_class"):
            school_class = get_object_or_404(
                SchoolClass, pk=request.POST["school_class"], school=shoot.school_id
            )
        students = Student.objects.filter(
            pk__in=[int(i) for i in request.POST.getlist("students") if i.isdigit()],
            school_class__school=shoot.school_id,
        )
        group = {"group": True, "single": False}.get(request.POST.get("group"))
        photos_assign(photos=photos, school_class=school_class, students=students, is_group=group)
        messages.success(
            request,
            ngettext("%(n)d photo tagged.", "%(n)d photos tagged.", len(photos))
            % {"n": len(photos)},
        )
    elif action == "retry":
        for photo in photos:
            photo_retry(photo=photo)
        messages.success(
            request,
            ngettext("%(n)d photo queued again.", "%(n)d photos queued again.", len(photos))
            % {"n": len(photos)},
        )
    else:
        messages.error(request, _("Choose what to do with the selected photos."))
    return redirect("picture_day:detail", shoot.pk)


@login_required
@require_POST
def photos_tag_csv(request, shoot_id):
    """A CSV of file name → student external id(s) tags many photos at once."""
    require(request.user, Action.MANAGE_SHOOTS)
    shoot = get_object_or_404(shoots_visible_to(user=request.user), pk=shoot_id)
    uploaded = request.FILES.get("mapping")
    if not uploaded:
        messages.error(request, _("Choose a CSV file."))
        return redirect("picture_day:detail", shoot.pk)
    result = photos_tag_from_csv(shoot=shoot, data=uploaded.read())
    messages.success(request, _("%(n)d photos tagged from the CSV.") % {"n": result.tagged})
    if result.problems:
        messages.error(request, "; ".join(result.problems[:20]))
    return redirect("picture_day:detail", shoot.pk)


def _private_file(field_file, download_name):
    return FileResponse(field_file.open("rb"), as_attachment=False, filename=download_name)


def _review_copy(request, field_file, cache_name, download_name):
    """``?size=review``: a preview-size copy instead of the full file."""
    if request.GET.get("size") != "review":
        return _private_file(field_file, download_name)
    try:
        name = review_image(field_file=field_file, cache_name=cache_name)
    except imaging.RejectedImage as rejected:
        return HttpResponse(
            str(rejected.message), status=422, content_type="text/plain; charset=utf-8"
        )
    response = FileResponse(field_file.storage.open(name, "rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def photo_original(request, pk):
    """Originals are private: only staff allowed to see the photo get them, through here."""
    photo = get_object_or_404(photos_visible_to(user=request.user), pk=pk)
    if not (
        may(request.user, Action.REVIEW_RETOUCH)
        or may(request.user, Action.RETOUCH_PHOTOS, photo)
        or may(request.user, Action.UPLOAD_PHOTOS, photo.shoot)
    ):
        raise PermissionDenied
    return _review_copy(request, photo.original, f"photo-{photo.pk}", photo.original_name)


@login_required
def photo_version_file(request, pk):
    version = get_object_or_404(PhotoVersion.objects.select_related("photo"), pk=pk)
    photo = get_object_or_404(photos_visible_to(user=request.user), pk=version.photo_id)
    if not (
        may(request.user, Action.REVIEW_RETOUCH) or may(request.user, Action.RETOUCH_PHOTOS, photo)
    ):
        raise PermissionDenied
    return _review_copy(request, version.file, f"version-{version.pk}", version.file_name)


@login_required
def derived_media(request, path):
    """Thumbnails and previews on local storage (object storage hands out signed URLs
    instead). Only this studio's files, only to its production staff."""
    require(request.user, Action.VIEW_PRODUCTION)
    schema_prefix = f"{connection.schema_name}/"
    if not path.startswith(schema_prefix) or ".." in path.split("/"):
        raise Http404
    name = path.removeprefix(schema_prefix)
    if not name.startswith("derived/") or not default_storage.exists(name):
        raise Http404
    response = FileResponse(default_storage.open(name, "rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response
