"""What the other apps call: ``sms_send`` and the opt-out services; and the owner's
settings. Sending happens in a Celery task (``tasks.py``) once the caller's transaction
commits."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .crypto import secret_encrypt
from .delivery import sms_status_record
from .models import Provider, Purpose, SmsMessage, SmsOptOut, SmsSettings
from .providers import twilio_report
from .selectors import phone_opted_out, sms_configured, sms_settings
from .tasks import sms_deliver_task

# What a person asked for is sent even after STOP; everything else is not.
SENT_DESPITE_OPT_OUT = {Purpose.SIGN_IN, Purpose.TEST}
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "СТОП"}
START_WORDS = {"START", "UNSTOP", "YES", "СТАРТ"}
MAX_TEXT = 1600


def phone_e164(phone: str) -> str:
    """``phone`` in E.164, or ValidationError: numbers travel with their country code."""
    try:
        number = phonenumbers.parse((phone or "").strip(), None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Not a phone number with its country code."), code="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def sms_send(*, to: str, text: str, purpose: str) -> SmsMessage:
    """Queues ``text`` to ``to`` (E.164) through the studio's provider; sent by a task after
    the current transaction commits. Refused (ValidationError) when the studio has no
    provider, or the number opted out and the message is not one the person asked for."""
    to = phone_e164(to)
    if purpose not in Purpose.values:
        raise ValueError(f"unknown SMS purpose {purpose!r}")
    if not text or len(text) > MAX_TEXT:
        raise ValidationError(_("The message is empty or too long."), code="text")
    if not sms_configured():
        raise ValidationError(_("The studio has no SMS provider set up."), code="not_configured")
    if purpose not in SENT_DESPITE_OPT_OUT and phone_opted_out(to):
        raise ValidationError(_("This number asked for no more texts (STOP)."), code="opted_out")
    message = SmsMessage.objects.create(
        to=to, text=text, purpose=purpose, provider=sms_settings().provider
    )
    sms_deliver_task.enqueue_on_commit(message.pk)
    return message


def sms_opt_out(*, phone: str, source: str = "stop") -> SmsOptOut:
    phone = phone_e164(phone)
    try:
        with transaction.atomic():
            return SmsOptOut.objects.create(phone=phone, source=source)
    except IntegrityError:
        return SmsOptOut.objects.get(phone=phone)


def sms_opt_in(*, phone: str) -> bool:
    """The number takes marketing texts again (it replied START, or asked the studio)."""
    return SmsOptOut.objects.filter(phone=phone_e164(phone)).delete()[0] > 0


def twilio_inbound_record(*, sender: str, body: str, opt_out_type: str = "") -> str:
    """An inbound text: STOP (and Twilio's other opt-out words) opts its number out, START
    opts it back in. Returns "opt_out", "opt_in" or "" for anything else."""
    words = (body or "").split()
    word = (opt_out_type or (words[0] if words else "")).strip().upper()
    try:
        if word in STOP_WORDS:
            sms_opt_out(phone=sender, source="stop")
            return "opt_out"
        if word in START_WORDS:
            sms_opt_in(phone=sender)
            return "opt_in"
    except ValidationError:
        return ""
    return ""


def twilio_status_record(*, message_sid: str, status: str, error_code: str = "") -> bool:
    report = twilio_report(status, error_code)
    if report is None:
        return False
    return sms_status_record(
        provider=Provider.TWILIO, provider_message_id=message_sid, report=report
    )


def sms_settings_update(
    *, provider: str, account_sid: str = "", secret: str = "", sender: str = ""
) -> SmsSettings:
    """Saves the owner's provider settings. An empty ``secret`` keeps the stored one, unless
    the provider changes (a Twilio token is no TurboSMS token)."""
    current = sms_settings()
    if provider and provider not in Provider.values:
        raise ValidationError({"provider": _("Choose a provider from the list.")})
    changed_provider = provider != current.provider
    errors = {}
    if provider:
        if not sender.strip():
            errors["sender"] = _("Enter the number or name texts are sent from.")
        if not secret and (changed_provider or not current.secret_encrypted):
            errors["secret"] = _("Enter the token from your provider's console.")
        if provider == Provider.TWILIO and not account_sid.strip().startswith("AC"):
            errors["account_sid"] = _("Twilio's account SID starts with AC.")
    if errors:
        raise ValidationError(errors)
    current.provider = provider
    current.account_sid = account_sid.strip() if provider == Provider.TWILIO else ""
    current.sender = sender.strip() if provider else ""
    if not provider:
        current.secret_encrypted, current.secret_hint = "", ""
    elif secret:
        current.secret_encrypted = secret_encrypt(secret.strip())
        current.secret_hint = secret.strip()[-4:]
    elif changed_provider:
        current.secret_encrypted, current.secret_hint = "", ""
    current.save()
    return current
