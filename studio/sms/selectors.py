from .crypto import secret_decrypt
from .models import SmsMessage, SmsOptOut, SmsSettings
from .providers import SmsProvider, TurboSmsProvider, TwilioProvider


def sms_settings() -> SmsSettings:
    """The studio's SMS settings: its one row (id 1), unsaved until first set."""
    return SmsSettings.objects.filter(pk=1).first() or SmsSettings(pk=1)


def sms_configured() -> bool:
    """Whether the studio can send texts: a provider, its secret and a sender."""
    current = sms_settings()
    if current.provider == "twilio":
        return bool(current.account_sid and current.secret_encrypted and current.sender)
    if current.provider == "turbosms":
        return bool(current.secret_encrypted and current.sender)
    return False


def sms_provider(current: SmsSettings | None = None) -> SmsProvider | None:
    current = current or sms_settings()
    secret = secret_decrypt(current.secret_encrypted)
    if not secret or not current.sender:
        return None
    if current.provider == "twilio" and current.account_sid:
        return TwilioProvider(
            account_sid=current.account_sid, auth_token=secret, sender=current.sender
        )
    if current.provider == "turbosms":
        return TurboSmsProvider(token=secret, sender=current.sender)
    return None


def twilio_auth_token() -> str:
    """The secret Twilio signs this studio's callbacks with ("" when not on Twilio)."""
    current = sms_settings()
    return secret_decrypt(current.secret_encrypted) if current.provider == "twilio" else ""


def phone_opted_out(phone: str) -> bool:
    """Whether ``phone`` (E.164) replied STOP to this studio and did not opt back in."""
    return SmsOptOut.objects.filter(phone=phone).exists()


def sms_recent(limit: int = 20):
    return SmsMessage.objects.all()[:limit]


def phones_opted_out(phones) -> set[str]:
    """Which of ``phones`` (E.164) replied STOP: one query for a whole send."""
    return set(SmsOptOut.objects.filter(phone__in=list(phones)).values_list("phone", flat=True))
