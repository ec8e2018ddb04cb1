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
from saas_platform.money import from_minor
from studio.core.policy import Action, require
from tenants.models import Studio
from tenants.selectors import studio_url

from .platform_fees import platform_fee_lines, platform_fees_owed_minor, platform_invoices
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
    currency = studio.currency
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
            "currency": currency,
            "fees_owed": from_minor(platform_fees_owed_minor(currency), currency),
            "fee_lines": list(platform_fee_lines(currency, limit=20)),
            "fee_invoices": list(platform_invoices(currency)[:12]),
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
