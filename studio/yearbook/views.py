"""Staff pages of the yearbook side of a picture day (owners and managers): poses, the
parents' deadline, PSPA exports and class composites. Thin: services decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from studio.core.policy import Action, require
from studio.photos.models import Photo
from studio.photos.services.processing import review_image
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.models import Shoot

from .forms import CompositeForm, DeadlineForm
from .models import Composite, JobStatus, PoseChoice
from .pspa import photo_source
from .selectors import class_pose_photos, composites, pose_deadline, shoot_poses, yearbook_exports
from .services import (
    composite_request,
    pose_choose,
    pose_deadline_set,
    yearbook_export_start,
)


def _shoot(request, shoot_id) -> Shoot:
    require(request.user, Action.MANAGE_SHOOTS)
    return get_object_or_404(Shoot.objects.select_related("school"), pk=shoot_id)


@login_required
def poses(request, shoot_id):
    """Every child's portraits, the chosen one marked; one tap chooses another."""
    shoot = _shoot(request, shoot_id)
    deadline = pose_deadline(shoot=shoot)
    return render(
        request,
        "yearbook/poses.html",
        {
            "studio": request.tenant,
            "shoot": shoot,
            "classes": shoot_poses(shoot=shoot),
            "deadline_form": DeadlineForm(initial={"pose_deadline": deadline}),
            "deadline": deadline,
            "exports": yearbook_exports(shoot=shoot)[:5],
            "composites": {c.school_class_id: c for c in composites(shoot=shoot)},
            "choices": PoseChoice.objects.filter(shoot=shoot).select_related("student")[:20],
        },
    )


@login_required
@require_POST
def pose_choose_view(request, shoot_id):
    shoot = _shoot(request, shoot_id)
    student = get_object_or_404(Student, pk=request.POST.get("student") or 0)
    photo = get_object_or_404(Photo, pk=request.POST.get("photo") or 0, shoot=shoot)
    try:
        pose_choose(actor=request.user, shoot=shoot, student=student, photo=photo)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(name)s’s yearbook photo is chosen.") % {"name": student.full_name}
        )
    return redirect(f"{request.path.rsplit('choose/', 1)[0]}#child-{student.pk}")


@login_required
@require_POST
def deadline_set(request, shoot_id):
    shoot = _shoot(request, shoot_id)
    form = DeadlineForm(request.POST)
    if form.is_valid():
        pose_deadline_set(
            actor=request.user, shoot=shoot, deadline=form.cleaned_data["pose_deadline"]
        )
        messages.success(request, _("The yearbook deadline is saved."))
    else:
        messages.error(request, _("Enter a valid date and time."))
    return redirect("yearbook:poses", shoot.pk)


@login_required
@require_POST
def export_start(request, shoot_id):
    shoot = _shoot(request, shoot_id)
    yearbook_export_start(actor=request.user, shoot=shoot)
    messages.success(request, _("The yearbook export has started. Reload this page in a minute."))
    return redirect(f"/staff/yearbook/{shoot.pk}/#exports")


def _zip_response(export, filename: str):
    if not export.file_name:
        raise Http404
    response = FileResponse(
        storages["originals"].open(export.file_name, "rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def export_download(request, shoot_id, export_id):
    shoot = _shoot(request, shoot_id)
    export = get_object_or_404(yearbook_exports(shoot=shoot), pk=export_id, status=JobStatus.READY)
    return _zip_response(export, f"yearbook-{shoot.pk}-{export.pk}.zip")


def _school(request, school_id) -> School:
    require(request.user, Action.MANAGE_SHOOTS)
    return get_object_or_404(School, pk=school_id)


@login_required
def school_exports(request, school_id):
    """The whole school's PSPA export: each child's pose from the newest picture day that
    has one."""
    school = _school(request, school_id)
    if request.method == "POST":
        yearbook_export_start(actor=request.user, school=school)
        messages.success(
            request, _("The yearbook export has started. Reload this page in a minute.")
        )
        return redirect("yearbook:school_exports", school.pk)
    return render(
        request,
        "yearbook/school_exports.html",
        {
            "studio": request.tenant,
            "school": school,
            "exports": yearbook_exports(school=school)[:5],
            "shoots": Shoot.objects.filter(school=school).order_by("-date", "-pk"),
        },
    )


@login_required
def school_export_download(request, school_id, export_id):
    school = _school(request, school_id)
    export = get_object_or_404(
        yearbook_exports(school=school), pk=export_id, status=JobStatus.READY
    )
    return _zip_response(export, f"yearbook-school-{school.pk}-{export.pk}.zip")


def _class(shoot, class_id) -> SchoolClass:
    return get_object_or_404(SchoolClass, pk=class_id, school=shoot.school_id)


@login_required
def composite_page(request, shoot_id, class_id):
    """The class composite: preview, title and order of the children, (re)generate."""
    shoot = _shoot(request, shoot_id)
    school_class = _class(shoot, class_id)
    composite = Composite.objects.filter(shoot=shoot, school_class=school_class).first()
    if request.method == "POST":
        form = CompositeForm(request.POST)
        if form.is_valid():
            composite_request(
                actor=request.user,
                shoot=shoot,
                school_class=school_class,
                title=form.cleaned_data["title"],
                order=form.cleaned_data["order"] or None,
            )
            messages.success(request, _("The composite is being made. This page updates itself."))
            return redirect("yearbook:composite", shoot.pk, school_class.pk)
    else:
        form = CompositeForm(initial={"title": composite.title if composite else ""})
    order = composite.order if composite else []
    return render(
        request,
        "yearbook/composite.html",
        {
            "studio": request.tenant,
            "shoot": shoot,
            "school_class": school_class,
            "composite": composite,
            "form": form,
            "children": [
                (student, photo)
                for student, photo in class_pose_photos(
                    shoot=shoot, school_class=school_class, order=order
                )
                if not student.is_hidden
            ],
            "working": composite is not None
            and composite.status in (JobStatus.QUEUED, JobStatus.RUNNING),
        },
    )


@login_required
def composite_preview(request, shoot_id, class_id):
    """The current composite at review size, without the parents' watermark."""
    shoot = _shoot(request, shoot_id)
    composite = get_object_or_404(
        Composite.objects.select_related("photo__approved_version"),
        shoot=shoot,
        school_class=_class(shoot, class_id),
        photo__isnull=False,
    )
    source = photo_source(composite.photo)
    name = review_image(
        field_file=source, cache_name=f"composite-{composite.photo_id}-{composite.generation}"
    )
    response = FileResponse(source.storage.open(name, "rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response
