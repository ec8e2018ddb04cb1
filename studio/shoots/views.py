from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from studio.core.policy import Action, may, require
from studio.photos.models import PhotoStatus, RetouchStatus
from studio.photos.selectors import shoot_progress
from studio.schools.models import SchoolClass, Student

from .forms import ShootForm
from .models import ShootStatus
from .selectors import shoots_visible_to
from .services import ALLOWED_TRANSITIONS, shoot_accepts_uploads, shoot_create, shoot_transition


@login_required
def shoot_list(request):
    require(request.user, Action.VIEW_PRODUCTION)
    form = None
    if may(request.user, Action.MANAGE_SHOOTS):
        form = ShootForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            shoot = shoot_create(
                school=data["school"],
                name=data["name"],
                date=data["date"],
                sales_deadline=data["sales_deadline"],
                photographers=data["photographers"],
            )
            return redirect("shoots:detail", shoot.pk)
    shoots = shoots_visible_to(user=request.user)
    return render(request, "shoots/list.html", {"shoots": shoots, "form": form})


@login_required
def shoot_detail(request, pk):
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
            "can_manage": may(request.user, Action.MANAGE_SHOOTS),
            "next_statuses": [ShootStatus(s) for s in ALLOWED_TRANSITIONS[shoot.status]],
            "retouch_submitted": shoot.photos.filter(
                retouch_status=RetouchStatus.SUBMITTED
            ).count(),
        },
    )


@login_required
@require_POST
def shoot_change_status(request, pk):
    require(request.user, Action.MANAGE_SHOOTS)
    shoot = get_object_or_404(shoots_visible_to(user=request.user), pk=pk)
    try:
        shoot_transition(shoot=shoot, to=request.POST.get("to", ""), actor=request.user)
    except (ValidationError, KeyError, ValueError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect("shoots:detail", shoot.pk)
