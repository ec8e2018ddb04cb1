import pytest
from django_tenants.utils import schema_context

from saas_platform.accounts.models import User
from tests.conftest import logged_in_client

TWILIO_SID = "AC" + "a1" * 16
TWILIO_TOKEN = "twilio-auth-token-alpha-7f3e"
BETA_SID = "AC" + "b2" * 16
BETA_TOKEN = "twilio-auth-token-beta-91cd"
TURBOSMS_TOKEN = "turbosms-token-5d2a"
SENDER = "+15005550006"


@pytest.fixture
def sms_api(settings, fake_sms):
    """This process's SMS clients aimed at the fake providers, with the tests' accounts."""
    settings.SMS_TWILIO_API_BASE = fake_sms.url
    settings.SMS_TURBOSMS_API_BASE = fake_sms.url
    fake_sms.twilio_account(TWILIO_SID, TWILIO_TOKEN)
    fake_sms.twilio_account(BETA_SID, BETA_TOKEN)
    fake_sms.turbosms_token(TURBOSMS_TOKEN)
    return fake_sms


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
