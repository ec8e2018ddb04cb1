from django_tenants.utils import schema_context

from saas_platform.accounts.models import User
from tests.conftest import logged_in_client
from tests.fakesms import (
    BETA_SID,
    BETA_TOKEN,
    SENDER,
    TURBOSMS_TOKEN,
    TWILIO_SID,
    TWILIO_TOKEN,
)

__all__ = ["BETA_SID", "BETA_TOKEN", "SENDER", "TURBOSMS_TOKEN", "TWILIO_SID", "TWILIO_TOKEN"]


def twilio_on(schema: str, sid: str = TWILIO_SID, token: str = TWILIO_TOKEN) -> None:
    from studio.sms.services import sms_settings_update

    with schema_context(schema):
        sms_settings_update(provider="twilio", account_sid=sid, secret=token, sender=SENDER)


def turbosms_on(schema: str) -> None:
    from studio.sms.services import sms_settings_update

    with schema_context(schema):
        sms_settings_update(provider="turbosms", secret=TURBOSMS_TOKEN, sender="Alpha Photo")


def owner_client(fixture):
    with schema_context(fixture.schema):
        owner = User.objects.get(email=fixture.owner_email)
    return logged_in_client(fixture, owner)
