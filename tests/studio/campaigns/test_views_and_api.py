"""Staff pages, the API and the unsubscribe page: roles, other studios' ids, one-click."""

import pytest
from django.core import mail
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from saas_platform.accounts.models import Role, User
from studio.api_tokens.services import api_token_issue
from studio.campaigns.models import CampaignSend, MessageTemplate, Recipient, Suppression
from studio.campaigns.selectors import send_progress
from studio.campaigns.services import campaign_batch_send, campaign_send_start
from studio.campaigns.unsubscribe import unsubscribe_token
from studio.shoots.models import Shoot
from tests.conftest import host_client, logged_in_client, push_id_sequences

from .conftest import make_day


def _user(fixture, role):
    with schema_context(fixture.schema):
        return User.objects.create_user(
            email=f"{role}-camp@{fixture.studio.slug}.test", password="pw", role=role
        )


def _token_client(fixture, role):
    with schema_context(fixture.schema):
        owner = User.objects.get(email=fixture.owner_email)
        _token, raw = api_token_issue(actor=owner, name=f"campaigns {role}", role=role)
    client = APIClient(HTTP_HOST=fixture.host)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def sent(alpha, beta, django_capture_on_commit_callbacks):
    """A send in beta, then one in alpha (ids pushed apart: beta's ids do not exist in
    alpha), sent."""
    with schema_context(beta.schema):
        beta_day = make_day()
        beta_send = campaign_send_start(shoot=beta_day.shoot, kind="photos_online")
        beta_recipient = beta_send.recipients.first()
    with schema_context(alpha.schema):
        push_id_sequences([CampaignSend, Recipient, Shoot], start=5_000_000)
        day = make_day()
        send = campaign_send_start(shoot=day.shoot, kind="photos_online")
        campaign_batch_send(send_id=send.pk, batch=0)
        recipient = send.recipients.first()
    mail.outbox.clear()
    return {
        "day": day,
        "send": send,
        "recipient": recipient,
        "beta_shoot": beta_day.shoot,
        "beta_send": beta_send,
        "beta_recipient": beta_recipient,
    }


# --- staff pages -----------------------------------------------------------------------------


def test_a_manager_sends_a_reminder_from_the_picture_days_page_and_follows_it(
    alpha, sent, run_tasks, django_capture_on_commit_callbacks
):
    client = logged_in_client(alpha, _user(alpha, Role.MANAGER))
    day = sent["day"]

    page = client.get(f"/staff/campaigns/shoots/{day.shoot.pk}/")
    assert page.status_code == 200
    assert "Would reach 3 addresses." in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/campaigns/shoots/{day.shoot.pk}/", {"kind": "reminder"})
    with schema_context(alpha.schema):
        send = CampaignSend.objects.get(shoot=day.shoot, kind="reminder")
    assert response.status_code == 302 and response.url == f"/staff/campaigns/sends/{send.pk}/"
    assert len(mail.outbox) == 3
    body = client.get(response.url).content.decode()
    assert 'data-count="sent">3<' in body
    assert client.get("/staff/campaigns/").status_code == 200
    assert client.get("/staff/campaigns/messages/").status_code == 200
    assert client.get("/staff/campaigns/messages/reminder/ru/").status_code == 200


def test_the_message_page_previews_and_saves_the_wording(alpha, sent):
    client = logged_in_client(alpha, _user(alpha, Role.OWNER))
    url = "/staff/campaigns/messages/reminder/en/"
    data = {"subject": "Hey {child}", "body": "Code {code} for {studio}", "preview": ""}

    preview = client.post(url, data).content.decode()
    assert "Hey Anna Smith" in preview and "Code ABCD-EFGH for Alpha Photo" in preview
    with schema_context(alpha.schema):
        assert not MessageTemplate.objects.exists()

    refused = client.post(url, {**data, "subject": "Hey {kid}", "save": ""})
    assert "Unknown placeholder: {kid}" in refused.content.decode()
    assert client.post(url, {**data, "save": ""}).status_code == 302
    with schema_context(alpha.schema):
        assert MessageTemplate.objects.get().subject == "Hey {child}"


@pytest.mark.parametrize("role", [Role.PHOTOGRAPHER, Role.RETOUCHER, Role.PRINCIPAL, Role.PARENT])
def test_lower_roles_are_refused_the_staff_pages(alpha, sent, role):
    client = logged_in_client(alpha, _user(alpha, role))
    send = sent["send"]
    recipient = sent["recipient"]
    for url in (
        "/staff/campaigns/",
        f"/staff/campaigns/shoots/{send.shoot_id}/",
        f"/staff/campaigns/sends/{send.pk}/",
        "/staff/campaigns/messages/",
        "/staff/campaigns/messages/reminder/en/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/staff/campaigns/recipients/{recipient.pk}/bounce/").status_code == 403
    assert (
        client.post(f"/staff/campaigns/shoots/{send.shoot_id}/", {"kind": "reminder"}).status_code
        == 403
    )


def test_another_studios_ids_are_not_found_on_the_staff_pages(alpha, sent):
    client = logged_in_client(alpha, _user(alpha, Role.OWNER))
    assert client.get(f"/staff/campaigns/sends/{sent['beta_send'].pk}/").status_code == 404
    assert client.get(f"/staff/campaigns/shoots/{sent['beta_shoot'].pk}/").status_code == 404
    bounce = client.post(f"/staff/campaigns/recipients/{sent['beta_recipient'].pk}/bounce/")
    assert bounce.status_code == 404


def test_staff_mark_a_message_bounced(alpha, sent):
    client = logged_in_client(alpha, _user(alpha, Role.MANAGER))
    with schema_context(alpha.schema):
        row = sent["send"].recipients.get(address="papa@example.com")
    client.post(f"/staff/campaigns/recipients/{row.pk}/bounce/")
    with schema_context(alpha.schema):
        row.refresh_from_db()
        assert row.status == "bounced"
        assert Suppression.objects.filter(address="papa@example.com", reason="bounced").exists()


# --- the API ---------------------------------------------------------------------------------


def test_the_api_edits_settings_and_wording_starts_a_send_and_reads_its_progress(
    alpha, sent, run_tasks, django_capture_on_commit_callbacks
):
    api = _token_client(alpha, Role.MANAGER)
    settings = api.patch("/api/campaigns/settings/", {"reminder_days_before": 5}, format="json")
    assert settings.status_code == 200, settings.json()
    assert settings.json()["reminder_days_before"] == 5
    assert "late_fee" not in settings.json()  # the picture day's now

    created = api.post(
        "/api/campaigns/messages/",
        {"kind": "reminder", "language": "uk", "subject": "{child}", "body": "{link}"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    bad = api.patch(
        f"/api/campaigns/messages/{created.json()['id']}/", {"body": "{nope}"}, format="json"
    )
    assert bad.status_code == 400 and "{nope}" in bad.json()["body"][0]
    assert api.get("/api/campaigns/messages/").json()["count"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(
            "/api/campaigns/sends/",
            {"shoot": sent["day"].shoot.pk, "kind": "reminder"},
            format="json",
        )
    assert started.status_code == 201, started.json()
    detail = api.get(f"/api/campaigns/sends/{started.json()['id']}/").json()
    assert detail["status"] == "done"
    assert detail["progress"] == {
        "total": 3, "pending": 0, "sent": 3, "bounced": 0, "unsubscribed": 0, "failed": 0,
        "percent": 100,
    }  # fmt: skip
    recipients = api.get(f"/api/campaigns/recipients/?send={started.json()['id']}").json()
    assert recipients["count"] == 3 and {r["status"] for r in recipients["results"]} == {"sent"}
    bounced = api.post(
        f"/api/campaigns/recipients/{recipients['results'][0]['id']}/bounce/",
        {"reason": "550"},
        format="json",
    )
    assert bounced.status_code == 200 and bounced.json()["status"] == "bounced"
    assert api.get("/api/campaigns/sends/?kind=reminder").json()["count"] == 1


def test_the_api_refuses_a_send_before_publishing(alpha, sent):
    api = _token_client(alpha, Role.OWNER)
    with schema_context(alpha.schema):
        draft = make_day(status="in_review", name="Draft")
    response = api.post(
        "/api/campaigns/sends/", {"shoot": draft.shoot.pk, "kind": "reminder"}, format="json"
    )
    assert response.status_code == 400 and "Publish the picture day first" in str(response.json())


@pytest.mark.parametrize("role", [Role.PHOTOGRAPHER, Role.RETOUCHER])
def test_the_api_refuses_lower_roles(alpha, sent, role):
    api = _token_client(alpha, role)
    send = sent["send"]
    for method, url in [
        ("get", "/api/campaigns/settings/"),
        ("patch", "/api/campaigns/settings/"),
        ("get", "/api/campaigns/messages/"),
        ("get", "/api/campaigns/sends/"),
        ("post", "/api/campaigns/sends/"),
        ("get", f"/api/campaigns/sends/{send.pk}/"),
        ("get", "/api/campaigns/recipients/"),
        ("post", f"/api/campaigns/recipients/{sent['recipient'].pk}/bounce/"),
    ]:
        assert getattr(api, method)(url, {}, format="json").status_code == 403, url


def test_the_api_does_not_reach_another_studios_ids(alpha, sent):
    api = _token_client(alpha, Role.OWNER)
    assert api.get(f"/api/campaigns/sends/{sent['beta_send'].pk}/").status_code == 404
    assert api.get(f"/api/campaigns/recipients/{sent['beta_recipient'].pk}/").status_code == 404
    bounce = api.post(f"/api/campaigns/recipients/{sent['beta_recipient'].pk}/bounce/")
    assert bounce.status_code == 404
    started = api.post(
        "/api/campaigns/sends/", {"shoot": sent["beta_shoot"].pk, "kind": "reminder"}, format="json"
    )
    assert started.status_code == 400 and "shoot" in started.json()
    listed = api.get("/api/campaigns/recipients/").json()
    assert {row["send"] for row in listed["results"]} == {sent["send"].pk}


def test_another_studios_token_is_refused(alpha, beta, sent):
    api = _token_client(beta, Role.OWNER)
    api.defaults["HTTP_HOST"] = alpha.host
    assert api.get("/api/campaigns/sends/").status_code == 401


def test_the_schema_describes_the_campaigns_api(alpha, db):
    schema = host_client(alpha.host).get("/api/schema/?format=json").json()
    assert {
        "/api/campaigns/settings/",
        "/api/campaigns/messages/",
        "/api/campaigns/sends/",
        "/api/campaigns/sends/{id}/",
        "/api/campaigns/recipients/",
        "/api/campaigns/recipients/{id}/bounce/",
    } <= set(schema["paths"])


# --- unsubscribing ---------------------------------------------------------------------------


def _link(fixture, address="semenova@example.com"):
    return f"/unsubscribe/{unsubscribe_token(schema=fixture.schema, channel='email', address=address)}/"


def test_the_link_asks_first_and_the_button_unsubscribes(alpha, sent):
    client = host_client(alpha.host)
    client.handler.enforce_csrf_checks = True
    page = client.get(_link(alpha))
    assert page.status_code == 200
    assert "Stop messages about photos and reminders from Alpha Photo to semenova@example.com?" in (
        page.content.decode()
    )
    with schema_context(alpha.schema):
        assert not Suppression.objects.exists()  # a link scanner's GET unsubscribes nobody

    done = client.post(_link(alpha))
    assert done.status_code == 200 and "You are unsubscribed" in done.content.decode()
    with schema_context(alpha.schema):
        assert Suppression.objects.get().address == "semenova@example.com"
        row = sent["send"].recipients.get(address="semenova@example.com")
        assert row.status == "unsubscribed" and row.sent_at is not None
        progress = send_progress(send=sent["send"])
        assert (progress.sent, progress.unsubscribed) == (3, 1)  # it went, then she left
    assert "already unsubscribed" in client.get(_link(alpha)).content.decode()


def test_a_mail_clients_one_click_post_unsubscribes(alpha, sent):
    """RFC 8058: a POST of ``List-Unsubscribe=One-Click`` to the header's URL, no cookies."""
    client = host_client(alpha.host)
    client.handler.enforce_csrf_checks = True
    response = client.post(
        _link(alpha, "mama@example.com"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    with schema_context(alpha.schema):
        assert Suppression.objects.filter(address="mama@example.com").exists()


def test_a_token_of_another_studio_or_a_forged_one_does_nothing(alpha, beta, sent):
    client = host_client(alpha.host)
    assert client.post(_link(beta)).status_code == 404  # made for beta, used on alpha
    assert client.post("/unsubscribe/forged:token/").status_code == 404
    with schema_context(alpha.schema):
        assert not Suppression.objects.exists()
    with schema_context(beta.schema):
        assert not Suppression.objects.exists()
