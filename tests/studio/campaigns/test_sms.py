"""Campaigns by SMS: the roster's phones as ``sms`` rows, the same exclusions as e-mail, STOP
honoured at the start and at claim time, texts through ``sms_send`` (and the fake provider),
their wording and length, and other studios' and lower roles' reach."""

import html

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from saas_platform.accounts.models import Role, User
from studio.access.models import AccessCode
from studio.api_tokens.services import api_token_issue
from studio.campaigns.dispatch import RecipientOptedOut, recipient_dispatch, sms_render
from studio.campaigns.models import (
    CampaignKind,
    CampaignSend,
    Channel,
    Recipient,
    RecipientStatus,
)
from studio.campaigns.selectors import campaign_audience, campaign_channels
from studio.campaigns.services import (
    campaign_batch_send,
    campaign_send_start,
    campaign_settings_update,
    message_template_save,
    recipient_bounce_record,
)
from studio.campaigns.tasks import campaign_batch_send as campaign_batch_task
from studio.campaigns.wording import sms_wording_for
from studio.orders.models import Order
from studio.parents.models import FamilyCode, ParentPhone
from studio.sms.models import Purpose, SmsMessage, SmsSettings
from studio.sms.segments import sms_length
from studio.sms.services import sms_opt_out
from tenants.selectors import current_studio
from tests.conftest import logged_in_client, push_id_sequences
from tests.studio.sms.conftest import twilio_on

from .conftest import make_day, order_for

IVAN_PHONES = ["+380631110001", "+380631110002"]
MASHA_PHONE = "+380631110003"


def texting_day(schema: str):
    """The conftest's picture day with phones on the roster (Masha's mother's number also on
    Ivan's, a sibling in another family's row: one text), Twilio set up, both channels."""
    day = make_day()
    day.ivan.parent_phones = [*IVAN_PHONES, MASHA_PHONE]
    day.ivan.save(update_fields=["parent_phones"])
    day.masha.parent_phones = [MASHA_PHONE]
    day.masha.save(update_fields=["parent_phones"])
    twilio_on(schema)
    campaign_settings_update(channels="both")
    return day


@pytest.fixture
def day(in_alpha):
    return texting_day(in_alpha.schema)


def _sms(send: CampaignSend) -> dict[str, Recipient]:
    return {row.address: row for row in send.recipients.filter(channel=Channel.SMS)}


def _send_all(send: CampaignSend) -> None:
    for batch in sorted(set(send.recipients.values_list("batch", flat=True))):
        campaign_batch_send(send_id=send.pk, batch=batch)


# --- the setting ---------------------------------------------------------------------------


def test_sms_is_chosen_only_with_a_provider_and_e_mail_takes_over_without_one(in_alpha):
    with pytest.raises(ValidationError) as refused:
        campaign_settings_update(channels="sms")
    assert "channels" in refused.value.message_dict
    assert campaign_channels() == {Channel.EMAIL}

    twilio_on(in_alpha.schema)
    campaign_settings_update(channels="sms")
    assert campaign_channels() == {Channel.SMS}
    campaign_settings_update(channels="both")
    assert campaign_channels() == {Channel.EMAIL, Channel.SMS}

    SmsSettings.objects.all().delete()  # the provider is removed: families still hear by e-mail
    assert campaign_channels() == {Channel.EMAIL}


# --- who -----------------------------------------------------------------------------------


def test_the_roster_phones_are_sms_rows_once_each_after_the_e_mails(day):
    day.masha.parent_phones = [MASHA_PHONE, "not a phone", "+38063111"]
    day.masha.save(update_fields=["parent_phones"])

    families = campaign_audience(shoot=day.shoot, kind=CampaignKind.PHOTOS_ONLINE)

    assert [(f.channel, f.address) for f in families] == [
        ("email", "mama@example.com"),
        ("email", "papa@example.com"),
        ("email", "semenova@example.com"),
        ("sms", IVAN_PHONES[0]),
        ("sms", IVAN_PHONES[1]),
        ("sms", MASHA_PHONE),
    ]
    masha_mother = families[-1]
    assert sorted(masha_mother.children.values()) == ["Ivan Petrov", "Masha Orlova"]
    assert set(masha_mother.codes) == {day.ivan.pk, day.masha.pk}
    assert [f.channel for f in campaign_audience(shoot=day.shoot, kind="reminder")].count(
        "sms"
    ) == 3

    campaign_settings_update(channels="sms")
    assert {f.channel for f in campaign_audience(shoot=day.shoot, kind="photos_online")} == {"sms"}


def test_a_parent_signed_in_by_phone_who_opened_a_code_gets_a_text_not_an_e_mail(day):
    parent = User.objects.create_user(
        email="phone-380501234567@phone.pictureday.invalid", role=Role.PARENT
    )
    ParentPhone.objects.create(parent=parent, phone="+380501234567")
    FamilyCode.objects.create(
        parent=parent, access_code=AccessCode.objects.get(shoot=day.shoot, student=day.masha)
    )

    families = campaign_audience(shoot=day.shoot, kind=CampaignKind.PHOTOS_ONLINE)

    addresses = [f.address for f in families]
    assert "+380501234567" in addresses
    assert not any(address.endswith("phone.pictureday.invalid") for address in addresses)


def test_a_reminder_skips_the_phones_of_families_that_ordered(day):
    # papa ordered for Ivan: Ivan's roster phones ordered, also Masha's mother's number on
    # Ivan's row (one family); a phone account that ordered for nobody here is skipped too
    order_for(shoot=day.shoot, child=day.ivan, email="papa@example.com", key="p1")
    families = campaign_audience(shoot=day.shoot, kind=CampaignKind.REMINDER)
    assert [(f.channel, f.address) for f in families] == [("email", "semenova@example.com")]


def test_a_phone_account_that_ordered_is_skipped_and_its_children_stay_for_others(day):
    day.ivan.parent_phones = IVAN_PHONES
    day.ivan.save(update_fields=["parent_phones"])
    parent = User.objects.create_user(
        email="phone-380631110003@phone.pictureday.invalid", role=Role.PARENT
    )
    ParentPhone.objects.create(parent=parent, phone=MASHA_PHONE)
    # the order's e-mail is another one: the account links the phone to it
    order = order_for(shoot=day.shoot, child=day.no_email, email="late@example.com", key="p2")
    Order.objects.filter(pk=order.pk).update(parent=parent)

    sms = [
        f.address
        for f in campaign_audience(shoot=day.shoot, kind=CampaignKind.REMINDER)
        if f.channel == "sms"
    ]

    assert sms == IVAN_PHONES  # Masha's mother ordered (from her phone account)


# --- STOP ----------------------------------------------------------------------------------


def test_a_number_that_said_stop_is_unsubscribed_at_the_start_and_never_texted(day):
    sms_opt_out(phone=MASHA_PHONE)

    send = campaign_send_start(shoot=day.shoot, kind=CampaignKind.PHOTOS_ONLINE)
    _send_all(send)

    rows = _sms(send)
    assert rows[MASHA_PHONE].status == RecipientStatus.UNSUBSCRIBED
    assert "STOP" in rows[MASHA_PHONE].reason
    assert {rows[p].status for p in IVAN_PHONES} == {RecipientStatus.SENT}
    assert sorted(SmsMessage.objects.values_list("to", flat=True)) == IVAN_PHONES
    assert set(SmsMessage.objects.values_list("purpose", flat=True)) == {Purpose.MARKETING}
    assert len(mail.outbox) == 3  # the e-mails still go


def test_a_stop_after_the_send_started_is_honoured_when_the_row_is_claimed(day):
    send = campaign_send_start(shoot=day.shoot, kind=CampaignKind.PHOTOS_ONLINE)
    assert _sms(send)[MASHA_PHONE].status == RecipientStatus.PENDING
    sms_opt_out(phone=MASHA_PHONE)

    _send_all(send)

    row = _sms(send)[MASHA_PHONE]
    assert (row.status, row.attempts) == (RecipientStatus.UNSUBSCRIBED, 0)
    assert not SmsMessage.objects.filter(to=MASHA_PHONE).exists()


def test_a_stop_between_the_claim_and_the_text_unsubscribes_the_row(day):
    send = campaign_send_start(shoot=day.shoot, kind=CampaignKind.PHOTOS_ONLINE)
    row = _sms(send)[MASHA_PHONE]
    sms_opt_out(phone=MASHA_PHONE)
    with pytest.raises(RecipientOptedOut):
        recipient_dispatch(studio=current_studio(), recipient=row)
    assert not SmsMessage.objects.exists()


# --- what, and once ------------------------------------------------------------------------


def test_each_phone_gets_one_text_with_the_link_and_the_stop_hint_in_its_language(day):
    parent = User.objects.create_user(
        email="phone-380631110001@phone.pictureday.invalid", role=Role.PARENT, language="uk"
    )
    ParentPhone.objects.create(parent=parent, phone=IVAN_PHONES[0])
    code = AccessCode.objects.get(shoot=day.shoot, student=day.ivan).display

    send = campaign_send_start(shoot=day.shoot, kind=CampaignKind.PHOTOS_ONLINE)
    _send_all(send)
    _send_all(send)  # a batch repeated: claimed rows are skipped, nothing texted twice

    texts = dict(SmsMessage.objects.values_list("to", "text"))
    assert SmsMessage.objects.count() == 3
    english = texts[IVAN_PHONES[1]]
    assert english.startswith(current_studio().name + ": the photos of Ivan Petrov are online")
    assert f"Code {code}" in english and f"/?code={code}" in english
    assert english.endswith("STOP to opt out")
    assert texts[IVAN_PHONES[0]].endswith("STOP — відписатися")
    assert "фото" in texts[IVAN_PHONES[0]]
    assert _sms(send)[IVAN_PHONES[0]].language == "uk"


def test_the_studios_own_sms_wording_is_used_and_checked(day):
    with pytest.raises(ValidationError):
        message_template_save(
            kind="reminder", language="en", subject="s", body="b", sms="Hi {parent}"
        )
    message_template_save(
        kind="photos_online",
        language="en",
        subject="s",
        body="b",
        sms="{child}: photos at {link} now",
    )
    text = sms_render(
        studio=current_studio(),
        shoot=day.shoot,
        kind="photos_online",
        language="en",
        children=["Ivan Petrov"],
        codes=["ABCD"],
    )
    assert text.startswith("Ivan Petrov: photos at http") and text.count("?code=ABCD") == 1
    assert text.endswith(" now STOP to opt out")
    # saving the e-mail again (the API without "sms") keeps the SMS text; "" is the default
    message_template_save(kind="photos_online", language="en", subject="s2", body="b2")
    assert sms_wording_for(kind="photos_online", language="en") == (
        "{child}: photos at {link} now",
        True,
    )
    message_template_save(kind="photos_online", language="en", subject="s2", body="b2", sms="")
    assert sms_wording_for(kind="photos_online", language="en")[1] is False


@pytest.mark.parametrize(
    "text, encoding, units, segments",
    [
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # extension characters take two septets
        ("я" * 70, "UCS-2", 70, 1),
        ("я" * 71, "UCS-2", 71, 2),
        ("a" * 69 + "😀", "UCS-2", 71, 2),  # outside the BMP: two code units
    ],
)
def test_the_length_in_segments(text, encoding, units, segments):
    length = sms_length(text)
    assert (length.encoding, length.units, length.segments) == (encoding, units, segments)


@pytest.mark.parametrize("language, most", [("en", 2), ("ru", 3), ("uk", 3)])
def test_the_default_texts_stay_short(day, language, most):
    for kind in CampaignKind:
        text = sms_render(
            studio=current_studio(),
            shoot=day.shoot,
            kind=kind,
            language=language,
            children=["Ivan Petrov"],
            codes=["ABCD-EFGH"],
        )
        assert sms_length(text).segments <= most, text


# --- through the fake provider, in process -------------------------------------------------


def test_the_texts_reach_the_provider_once(
    day, sms_api, run_tasks, django_capture_on_commit_callbacks
):
    sms_opt_out(phone=IVAN_PHONES[1])
    with django_capture_on_commit_callbacks(execute=True):
        send = campaign_send_start(shoot=day.shoot, kind=CampaignKind.PHOTOS_ONLINE)
    with django_capture_on_commit_callbacks(execute=True):
        campaign_batch_task.apply_async(args=[send.pk, 0])  # repeated: nothing goes twice

    assert len(sms_api.texts_to(IVAN_PHONES[0])) == 1
    assert len(sms_api.texts_to(MASHA_PHONE)) == 1
    assert sms_api.texts_to(IVAN_PHONES[1]) == []
    assert "STOP to opt out" in sms_api.texts_to(MASHA_PHONE)[0]
    send.refresh_from_db()
    assert send.status == "done"


# --- other studios and lower roles ---------------------------------------------------------


def test_another_studios_sms_send_texts_nothing_here(alpha, beta, run_tasks):
    with schema_context(beta.schema):
        beta_send = campaign_send_start(shoot=texting_day(beta.schema).shoot, kind="photos_online")
    with schema_context(alpha.schema):
        push_id_sequences([CampaignSend, Recipient], start=8_000_000)
        twilio_on(alpha.schema)
        assert campaign_batch_task.apply_async(args=[beta_send.pk, 0]) == 0
        assert not SmsMessage.objects.exists()
    with schema_context(beta.schema):
        assert {row.status for row in beta_send.recipients.all()} == {"pending"}
        assert not SmsMessage.objects.exists()


def _token_client(fixture, role):
    with schema_context(fixture.schema):
        owner = User.objects.get(email=fixture.owner_email)
        _token, raw = api_token_issue(actor=owner, name=f"sms campaigns {role}", role=role)
    client = APIClient(HTTP_HOST=fixture.host)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_the_api_sets_sms_for_a_manager_and_refuses_lower_roles_and_no_provider(alpha, beta):
    url = "/api/campaigns/settings/"
    manager = _token_client(alpha, Role.MANAGER)
    refused = manager.patch(url, {"channels": "both"}, format="json")
    assert refused.status_code == 400 and "channels" in refused.json()
    with schema_context(alpha.schema):
        twilio_on(alpha.schema)
    for role in (Role.PHOTOGRAPHER, Role.RETOUCHER):
        assert (
            _token_client(alpha, role).patch(url, {"channels": "sms"}, format="json").status_code
            == 403
        )
    answer = manager.patch(url, {"channels": "both"}, format="json")
    assert answer.status_code == 200 and answer.json()["channels"] == "both"
    assert _token_client(beta, Role.MANAGER).get(url).json()["channels"] == "email"

    message = manager.post(
        "/api/campaigns/messages/",
        {"kind": "reminder", "language": "en", "subject": "s", "body": "b", "sms": "{nope}"},
        format="json",
    )
    assert message.status_code == 400 and "sms" in message.json()


def test_the_pages_offer_sms_with_a_provider_and_preview_its_length(alpha):
    with schema_context(alpha.schema):
        manager = User.objects.create_user(
            email="manager-sms@alpha.test", password="pw", role=Role.MANAGER
        )
        photographer = User.objects.create_user(
            email="photo-sms@alpha.test", password="pw", role=Role.PHOTOGRAPHER
        )
    client = logged_in_client(alpha, manager)
    assert 'value="both"' not in client.get("/staff/campaigns/").content.decode()
    with schema_context(alpha.schema):
        twilio_on(alpha.schema)
    assert 'value="both"' in client.get("/staff/campaigns/").content.decode()

    page = client.post(
        "/staff/campaigns/messages/reminder/en/",
        {"subject": "s", "body": "b", "sms": "Ё" * 80, "preview": "1"},
    ).content.decode()
    shown = html.unescape(page.split('id="sms-preview-text"', 1)[1].split(">", 1)[1].split("<")[0])
    assert shown.startswith("Ё" * 80) and shown.endswith("STOP to opt out")
    assert sms_length(shown).segments == 3  # UCS-2: 67 characters per part once split
    assert 'data-segments="3"' in page and "UCS-2, 70 per message" in page
    assert (
        logged_in_client(alpha, photographer)
        .post(
            "/staff/campaigns/messages/reminder/en/",
            {"subject": "s", "body": "b", "sms": "x", "save": "1"},
        )
        .status_code
        == 403
    )


def test_a_text_marked_bounced_stops_campaign_texts_to_that_number(day):
    first = campaign_send_start(shoot=day.shoot, kind=CampaignKind.PHOTOS_ONLINE)
    _send_all(first)
    recipient_bounce_record(recipient=_sms(first)[MASHA_PHONE], reason="wrong number")

    second = campaign_send_start(shoot=day.shoot, kind=CampaignKind.REMINDER)

    row = _sms(second)[MASHA_PHONE]
    assert row.status == RecipientStatus.UNSUBSCRIBED and "STOP" not in row.reason
    assert _sms(second)[IVAN_PHONES[0]].status == RecipientStatus.PENDING


def test_a_stop_to_another_studio_does_not_silence_this_one(alpha, beta):
    with schema_context(beta.schema):
        sms_opt_out(phone=MASHA_PHONE)  # the parent said STOP to beta's texts only
    with schema_context(alpha.schema):
        send = campaign_send_start(shoot=texting_day(alpha.schema).shoot, kind="photos_online")
        _send_all(send)
        assert _sms(send)[MASHA_PHONE].status == RecipientStatus.SENT
        assert SmsMessage.objects.filter(to=MASHA_PHONE).count() == 1
