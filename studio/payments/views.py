import logging

import stripe
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from saas_platform import stripe_api
from saas_platform.forms import form_add_errors
from studio.core.policy import Action, require
from tenants.selectors import studio_url

from .forms import PaymentSettingsForm
from .services import payment_settings_update, stripe_account_refresh, stripe_connect_start

log = logging.getLogger(__name__)


@login_required
def payment_settings(request):
    require(request.user, Action.MANAGE_STUDIO_SETTINGS)
    studio = request.tenant
    form = PaymentSettingsForm(request.POST or None, instance=studio)
    if request.method == "POST" and form.is_valid():
        try:
            payment_settings_update(
                studio=studio,
                actor=request.user,
                **{name: form.cleaned_data[name] for name in form.fields},
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Payment settings saved."))
            return redirect("payments:settings")
    if request.method == "GET" and request.GET.get("stripe") == "return":
        try:
            studio = stripe_account_refresh(studio=studio)
        except stripe.StripeError:
            log.exception("stripe account refresh failed for %s", studio.schema_name)
    return render(
        request,
        "payments/settings.html",
        {"form": form, "stripe_configured": stripe_api.is_configured(), "studio": studio},
    )


@login_required
@require_POST
def stripe_connect(request):
    """Sends the owner to Stripe to open (or finish opening) the studio's account."""
    require(request.user, Action.MANAGE_STUDIO_SETTINGS)
    if not stripe_api.is_configured():
        return redirect("payments:settings")
    studio = request.tenant
    here = studio_url(studio=studio, path="/staff/settings/payments/", request=request)
    try:
        url = stripe_connect_start(
            studio=studio, return_url=f"{here}?stripe=return", refresh_url=f"{here}?stripe=again"
        )
    except stripe.StripeError:
        log.exception("stripe connect failed for %s", studio.schema_name)
        messages.error(request, _("Stripe could not be reached; try again in a minute."))
        return redirect("payments:settings")
    return redirect(url)
