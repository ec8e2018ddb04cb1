"""The owner's SMS settings page, and the provider's webhooks (signed, no session)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from saas_platform.forms import form_add_errors
from studio.core.policy import Action, require
from tenants.selectors import studio_url

from .delivery import TWILIO_INBOUND_PATH
from .forms import SmsSettingsForm, TestSmsForm
from .models import Purpose
from .selectors import sms_configured, sms_recent, sms_settings, twilio_auth_token
from .services import sms_send, sms_settings_update, twilio_inbound_record, twilio_status_record


@login_required
def sms_settings_page(request):
    require(request.user, Action.MANAGE_STUDIO_SETTINGS)
    current = sms_settings()
    form = SmsSettingsForm(
        request.POST or None,
        initial={
            "provider": current.provider,
            "account_sid": current.account_sid,
            "sender": current.sender,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            sms_settings_update(**form.cleaned_data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("SMS settings saved."))
            return redirect("sms:settings")
    return _page(request, form=form, test_form=TestSmsForm(), current=current)


def _page(request, *, form, test_form, current):
    return render(
        request,
        "sms/settings.html",
        {
            "form": form,
            "test_form": test_form,
            "current": current,
            "configured": sms_configured(),
            "inbound_url": studio_url(
                studio=request.tenant, path=TWILIO_INBOUND_PATH, request=request
            ),
            "recent": sms_recent(),
            "studio": request.tenant,
        },
        status=400 if form.errors or test_form.errors else 200,
    )


@login_required
@require_POST
def sms_test_send(request):
    """Sends the owner a test text through the saved provider; its status shows below."""
    require(request.user, Action.MANAGE_STUDIO_SETTINGS)
    test_form = TestSmsForm(request.POST)
    if test_form.is_valid():
        try:
            sms_send(
                to=test_form.cleaned_data["phone"],
                text=_("Test message from %(studio)s: SMS works.")
                % {"studio": request.tenant.name},
                purpose=Purpose.TEST,
            )
        except ValidationError as error:
            test_form.add_error("phone", error)
        else:
            messages.success(request, _("Test SMS queued; its status shows below."))
            return redirect("sms:settings")
    current = sms_settings()
    form = SmsSettingsForm(
        initial={
            "provider": current.provider,
            "account_sid": current.account_sid,
            "sender": current.sender,
        }
    )
    return _page(request, form=form, test_form=test_form, current=current)


def _twilio_verified(request) -> bool:
    """Twilio signs each webhook with the studio's auth token over the full URL and the
    POST parameters (``X-Twilio-Signature``); the account must be the studio's too."""
    token = twilio_auth_token()
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    params = {key: request.POST.get(key) for key in request.POST}
    if not RequestValidator(token).validate(request.build_absolute_uri(), params, signature):
        return False
    return request.POST.get("AccountSid", "") == sms_settings().account_sid


@csrf_exempt
@require_POST
def twilio_status(request):
    """Twilio's StatusCallback: the delivery status of one of this studio's messages."""
    if not _twilio_verified(request):
        return HttpResponseForbidden("bad signature")
    twilio_status_record(
        message_sid=request.POST.get("MessageSid", ""),
        status=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def twilio_inbound(request):
    """Twilio's incoming-message webhook: STOP / START from a parent. Twilio itself answers
    the parent, so the reply is an empty TwiML document."""
    if not _twilio_verified(request):
        return HttpResponseForbidden("bad signature")
    twilio_inbound_record(
        sender=request.POST.get("From", ""),
        body=request.POST.get("Body", ""),
        opt_out_type=request.POST.get("OptOutType", ""),
    )
    return HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?><Response></Response>', content_type="text/xml"
    )
