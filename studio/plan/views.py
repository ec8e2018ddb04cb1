"""The studio owner's billing page: plan, licence, usage, and paying the platform."""

import stripe
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tenants.utils import get_public_schema_name, schema_context

from billing import subscriptions
from billing.models import LicenceEvent, Plan
from studio.core.policy import Action, require
from tenants.models import Studio
from tenants.selectors import studio_url

from .selectors import plan_usage


def _studio(request) -> Studio:
    with schema_context(get_public_schema_name()):
        return Studio.objects.select_related("plan").get(pk=request.tenant.pk)


@login_required
def billing(request):
    require(request.user, Action.MANAGE_BILLING)
    studio = _studio(request)
    usage = plan_usage()
    with schema_context(get_public_schema_name()):
        plans = list(Plan.objects.filter(is_public=True))
        events = list(LicenceEvent.objects.filter(studio=studio)[:10])
    return render(
        request,
        "plan/billing.html",
        {
            "licence": studio,
            "plans": plans,
            "events": events,
            "usage_rows": [
                (_("Schools"), *usage["schools"]),
                (_("Staff"), *usage["staff"]),
                (_("Photo storage, GB"), *usage["storage_gb"]),
                (_("Photos this season"), *usage["photos_this_season"]),
            ],
        },
    )


@login_required
@require_POST
def plan_choose(request):
    require(request.user, Action.MANAGE_BILLING)
    studio = _studio(request)
    with schema_context(get_public_schema_name()):
        plan = get_object_or_404(Plan, code=request.POST.get("plan", ""), is_public=True)
    back = studio_url(studio=studio, path="/staff/billing/", request=request)
    try:
        url = subscriptions.plan_choose(
            studio=studio,
            plan=plan,
            success_url=back + "?paid=1",
            cancel_url=back,
            user=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("plan:home")
    except stripe.StripeError:
        messages.error(request, _("Stripe could not be reached; please try again."))
        return redirect("plan:home")
    if url:
        return redirect(url)
    messages.success(request, _("Your plan is now %(plan)s.") % {"plan": plan.name})
    return redirect("plan:home")


@login_required
@require_POST
def manage_card(request):
    require(request.user, Action.MANAGE_BILLING)
    studio = _studio(request)
    back = studio_url(studio=studio, path="/staff/billing/", request=request)
    try:
        return redirect(subscriptions.portal_url(studio=studio, return_url=back))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except stripe.StripeError:
        messages.error(request, _("Stripe could not be reached; please try again."))
    return redirect("plan:home")
