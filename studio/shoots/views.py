from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from studio.core.policy import Action, may, require

from .forms import ShootEditForm, ShootForm
from .selectors import shoots_visible_to
from .services import shoot_create, shoot_transition, shoot_update


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
                notes=data["notes"],
                late_orders_until=data["late_orders_until"],
                late_fee=data["late_fee"],
            )
            return redirect("picture_day:detail", shoot.pk)
    shoots = shoots_visible_to(user=request.user)
    return render(request, "shoots/list.html", {"shoots": shoots, "form": form})


@login_required
@require_POST
def shoot_change_status(request, pk):
    require(request.user, Action.MANAGE_SHOOTS)
    shoot = get_object_or_404(shoots_visible_to(user=request.user), pk=pk)
    try:
        shoot = shoot_transition(shoot=shoot, to=request.POST.get("to", ""), actor=request.user)
    except (ValidationError, KeyError, ValueError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request,
            _("The picture day is now “%(status)s”.") % {"status": shoot.get_status_display()},
        )
    return redirect("picture_day:detail", shoot.pk)


@login_required
def shoot_edit(request, pk):
    """Date, sales deadline and late orders (the codes follow them), photographers, notes."""
    require(request.user, Action.MANAGE_SHOOTS)
    shoot = get_object_or_404(shoots_visible_to(user=request.user), pk=pk)
    form = ShootEditForm(request.POST or None, instance=shoot)
    if request.method == "POST" and form.is_valid():
        shoot_update(shoot=shoot, **form.cleaned_data)
        messages.success(request, _("Picture day saved."))
        return redirect("picture_day:detail", shoot.pk)
    return render(request, "shoots/edit.html", {"shoot": shoot, "form": form})
