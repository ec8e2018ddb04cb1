from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from saas_platform.accounts.models import Role, User
from saas_platform.forms import form_add_errors
from studio.core.policy import STAFF_ROLES, Action, may, require

from .forms import InviteForm, RoleForm
from .selectors import dashboard_summary, first_day_checklist, own_work, settings_pages
from .services import staff_deactivate, staff_invite, staff_reactivate, staff_role_change


@login_required
def dashboard(request):
    if request.user.role == Role.PARENT:
        return redirect("access:enter")
    require(request.user, Action.VIEW_DASHBOARD)
    checklist = []
    if may(request.user, Action.MANAGE_SCHOOLS):
        checklist = first_day_checklist(studio=request.tenant)
    return render(
        request,
        "studio/dashboard.html",
        {
            "summary": dashboard_summary(user=request.user),
            "can_manage_schools": may(request.user, Action.MANAGE_SCHOOLS),
            "can_see_licence": may(request.user, Action.MANAGE_BILLING),
            # shown until every step is done, then out of the way
            "checklist": checklist if not all(step.done for step in checklist) else [],
            "checklist_done": sum(step.done for step in checklist),
            "own_work": own_work(user=request.user),
        },
    )


@login_required
def team(request):
    """The studio's staff and their roles; owners invite, change roles, switch people off
    and back on."""
    require(request.user, Action.MANAGE_STAFF)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff_invite(studio=request.tenant, invited_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("dashboard:team")
    people = User.objects.filter(role__in=STAFF_ROLES).order_by("-is_active", "role", "email")
    roles = RoleForm.base_fields["role"].choices
    return render(request, "studio/team.html", {"form": form, "people": people, "roles": roles})


@login_required
@require_POST
def team_deactivate(request, pk):
    require(request.user, Action.MANAGE_STAFF)
    person = get_object_or_404(User, pk=pk, role__in=STAFF_ROLES)
    try:
        staff_deactivate(user=person, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("dashboard:team")


@login_required
@require_POST
def team_reactivate(request, pk):
    require(request.user, Action.MANAGE_STAFF)
    person = get_object_or_404(User, pk=pk, role__in=STAFF_ROLES)
    try:
        staff_reactivate(user=person, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("dashboard:team")


@login_required
@require_POST
def team_role(request, pk):
    require(request.user, Action.MANAGE_STAFF)
    person = get_object_or_404(User, pk=pk, role__in=STAFF_ROLES)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return redirect("dashboard:team")
    try:
        person = staff_role_change(user=person, role=form.cleaned_data["role"], actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(person)s is now %(role)s.")
            % {"person": person.full_name or person.email, "role": person.get_role_display()},
        )
    return redirect("dashboard:team")


@login_required
def settings_index(request):
    """Every set-up page this person may use, in one place (the menu stays short)."""
    pages = settings_pages(user=request.user)
    if not pages:
        raise PermissionDenied
    return render(request, "studio/settings.html", {"pages": pages})
