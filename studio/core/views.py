from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from saas_platform.accounts.models import Role

from .policy import Action, may, require
from .selectors import dashboard_summary


@login_required
def dashboard(request):
    if request.user.role == Role.PARENT:
        return redirect("access:enter")
    require(request.user, Action.VIEW_DASHBOARD)
    return render(
        request,
        "studio/dashboard.html",
        {
            "summary": dashboard_summary(user=request.user),
            "can_manage_schools": may(request.user, Action.MANAGE_SCHOOLS),
        },
    )
