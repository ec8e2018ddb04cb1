"""The studio's audit log: settings, team and API token changes, who made them and what
changed; only the owner reads it, narrowed by person and kind."""

import html

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.audit.models import AuditEntry, AuditKind
from studio.audit.services import audit_changes, audit_record
from studio.dashboard.services import staff_deactivate, staff_invite
from tests.conftest import logged_in_client
from tests.studio.settings.images import watermark_png


def owner_of(fixture):
    with schema_context(fixture.schema):
        return User.objects.get(email=fixture.owner_email)


def entries(fixture):
    with schema_context(fixture.schema):
        return list(
            AuditEntry.objects.order_by("id").values_list(
                "actor_email", "kind", "subject", "changes"
            )
        )


def test_audit_changes_lists_only_what_differs(db):
    before = {"accept_cash": False, "bank_details": "IBAN 1", "accept_bank_transfer": True}
    after = {"accept_cash": True, "bank_details": "IBAN 1", "accept_bank_transfer": True}

    assert audit_changes(before=before, after=after) == [
        {"field": "accept_cash", "old": False, "new": True}
    ]


def test_payment_settings_changes_are_recorded_field_by_field(alpha):
    with schema_context(alpha.schema):
        alpha.studio.__class__.objects.filter(pk=alpha.studio.pk).update(
            accept_bank_transfer=False, bank_details="", accept_cash=True, cash_instructions=""
        )
    client = logged_in_client(alpha, owner_of(alpha))
    data = {"accept_bank_transfer": "on", "bank_details": "IBAN 1", "accept_cash": "on"}

    assert client.post("/staff/settings/payments/", data).status_code == 302
    assert client.post("/staff/settings/payments/", data).status_code == 302  # no change

    assert entries(alpha) == [
        (
            alpha.owner_email,
            AuditKind.PAYMENT_SETTINGS_CHANGED,
            "",
            [
                {"field": "accept_bank_transfer", "old": False, "new": True},
                {"field": "bank_details", "old": "", "new": "IBAN 1"},
            ],
        )
    ]


def test_refused_payment_settings_record_nothing(alpha):
    client = logged_in_client(alpha, owner_of(alpha))

    page = client.post("/staff/settings/payments/", {"accept_bank_transfer": "on"})

    assert page.status_code == 200
    assert entries(alpha) == []


def test_team_invites_and_switch_offs_are_recorded(in_alpha, alpha, mailoutbox):
    owner = User.objects.get(email=alpha.owner_email)

    person = staff_invite(studio=alpha.studio, email="Ph@alpha.test", role="photographer",
                          invited_by=owner)  # fmt: skip
    staff_deactivate(user=person, actor=owner)
    staff_deactivate(user=person, actor=owner)  # already off: nothing more

    assert entries(alpha) == [
        (
            alpha.owner_email,
            AuditKind.STAFF_INVITED,
            "ph@alpha.test",
            [{"field": "role", "old": None, "new": "photographer"}],
        ),
        (
            alpha.owner_email,
            AuditKind.STAFF_DEACTIVATED,
            "ph@alpha.test",
            [{"field": "is_active", "old": True, "new": False}],
        ),
    ]


def test_the_team_page_records_through_the_same_services(alpha, mailoutbox):
    client = logged_in_client(alpha, owner_of(alpha))

    client.post("/staff/team/", {"email": "r@alpha.test", "role": "retoucher"})
    with schema_context(alpha.schema):
        retoucher = User.objects.get(email="r@alpha.test")
    client.post(f"/staff/team/{retoucher.pk}/deactivate/")

    assert [kind for _e, kind, _s, _c in entries(alpha)] == [
        AuditKind.STAFF_INVITED,
        AuditKind.STAFF_DEACTIVATED,
    ]


@pytest.fixture
def logged(alpha):
    """Three entries by two people, of two kinds."""
    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
        manager = User.objects.create_user(
            email="m-audit@alpha.test", password="pw", role=Role.MANAGER, full_name="Mia Manager"
        )
        audit_record(actor=owner, kind=AuditKind.STAFF_INVITED, subject="first@alpha.test")
        audit_record(actor=manager, kind=AuditKind.API_TOKEN_CREATED, subject="mia-token")
        audit_record(actor=owner, kind=AuditKind.API_TOKEN_REVOKED, subject="owner-token")
    return {"owner": owner, "manager": manager}


def subjects_on(page) -> list[str]:
    html = page.content.decode()
    return [s for s in ("first@alpha.test", "mia-token", "owner-token") if s in html]


def test_the_owner_reads_the_log_filtered_by_person_and_kind(alpha, logged):
    client = logged_in_client(alpha, logged["owner"])
    manager_id = logged["manager"].pk

    everything = client.get("/staff/audit/")
    by_manager = client.get(f"/staff/audit/?person={manager_id}")
    revoked = client.get("/staff/audit/?kind=api_token_revoked")
    owners_tokens = client.get(f"/staff/audit/?person={logged['owner'].pk}&kind=api_token_created")

    assert everything.status_code == 200
    assert subjects_on(everything) == ["first@alpha.test", "mia-token", "owner-token"]
    assert everything.content.decode().count('class="audit-entry"') == 3
    assert subjects_on(by_manager) == ["mia-token"]
    assert "Mia Manager" in by_manager.content.decode()
    assert subjects_on(revoked) == ["owner-token"]
    assert subjects_on(owners_tokens) == []
    assert "Nothing recorded yet." in owners_tokens.content.decode()


def test_an_unknown_filter_value_shows_everything_with_the_error(alpha, logged):
    page = logged_in_client(alpha, logged["owner"]).get("/staff/audit/?kind=nonsense")

    assert page.status_code == 200
    assert subjects_on(page) == ["first@alpha.test", "mia-token", "owner-token"]
    assert "Select a valid choice." in page.content.decode()


def test_another_studios_log_is_not_shown(alpha, beta, logged):
    page = logged_in_client(beta, owner_of(beta)).get("/staff/audit/")

    assert page.status_code == 200
    assert subjects_on(page) == []


@pytest.mark.parametrize(
    "role", [Role.MANAGER, Role.PHOTOGRAPHER, Role.RETOUCHER, Role.PRINCIPAL, Role.PARENT]
)
def test_only_the_owner_reads_the_log(alpha, role):
    with schema_context(alpha.schema):
        user = User.objects.create_user(email=f"{role}-a@alpha.test", password="pw", role=role)

    assert logged_in_client(alpha, user).get("/staff/audit/").status_code == 403


@pytest.mark.parametrize(("role", "shown"), [(Role.OWNER, True), (Role.MANAGER, False)])
def test_the_navigation_links_to_the_log_for_owners_only(alpha, role, shown):
    with schema_context(alpha.schema):
        user = User.objects.filter(role=role).first() or User.objects.create_user(
            email="m-nav@alpha.test", password="pw", role=role
        )

    page = (
        logged_in_client(alpha, user).get("/staff/settings/").content.decode()
    )  # the menu's "Settings"

    assert ('href="/staff/audit/"' in page) is shown


SETTINGS_FORM = {
    "name": "Alpha Photo",
    "brand_color": "#7c2d12",
    "currency": "GBP",
    "language": "en",
    "timezone": "Europe/London",
    "contact_email": "help@alpha.test",
    "contact_phone": "",
    "support_text": "",
    "legal_name": "",
    "legal_address": "",
    "watermark_text": "",
}


def test_studio_settings_changes_are_recorded_and_a_plain_resave_is_not(alpha, media_in_tmp):
    client = logged_in_client(alpha, owner_of(alpha))
    client.post("/staff/settings/studio/", SETTINGS_FORM)
    with schema_context(alpha.schema):
        AuditEntry.objects.all().delete()  # whatever the first save changed

    again = client.post("/staff/settings/studio/", SETTINGS_FORM)
    changed = client.post(
        "/staff/settings/studio/",
        {**SETTINGS_FORM, "name": "Alpha Studio", "language": "ru", "watermark_text": "PROOF"},
    )

    assert (again.status_code, changed.status_code) == (302, 302)
    assert entries(alpha) == [
        (
            alpha.owner_email,
            AuditKind.STUDIO_SETTINGS_CHANGED,
            "",
            [
                {"field": "name", "old": "Alpha Photo", "new": "Alpha Studio"},
                {"field": "watermark_text", "old": "", "new": "PROOF"},
                {"field": "language", "old": "en", "new": "ru"},
            ],
        )
    ]


def test_a_watermark_image_and_opacity_are_recorded(alpha, media_in_tmp):
    client = logged_in_client(alpha, owner_of(alpha))
    client.post("/staff/settings/studio/", SETTINGS_FORM)
    with schema_context(alpha.schema):
        AuditEntry.objects.all().delete()

    response = client.post(
        "/staff/settings/studio/",
        {
            **SETTINGS_FORM,
            "watermark_opacity": "60",
            "watermark_image": SimpleUploadedFile("mark.png", watermark_png()),
        },
    )

    assert response.status_code == 302
    [(_, kind, _, changes)] = entries(alpha)
    assert kind == AuditKind.STUDIO_SETTINGS_CHANGED
    assert {"field": "watermark_opacity", "old": 45, "new": 60} in changes
    [image] = [change for change in changes if change["field"] == "watermark_image"]
    assert image["old"] is None and image["new"].startswith("watermark-")


def test_refused_studio_settings_record_nothing(alpha, media_in_tmp):
    client = logged_in_client(alpha, owner_of(alpha))

    page = client.post("/staff/settings/studio/", {**SETTINGS_FORM, "brand_color": "nope"})

    assert page.status_code == 400
    assert entries(alpha) == []


def test_role_changes_and_switching_back_on_are_recorded(alpha):
    with schema_context(alpha.schema):
        person = User.objects.create_user(
            email="p@alpha.test", password="pw", role=Role.PHOTOGRAPHER
        )
    client = logged_in_client(alpha, owner_of(alpha))
    owner_id = owner_of(alpha).pk

    client.post(f"/staff/team/{person.pk}/role/", {"role": "manager"})
    client.post(f"/staff/team/{person.pk}/role/", {"role": "manager"})  # no change
    client.post(f"/staff/team/{person.pk}/role/", {"role": "owner"})  # not given here
    client.post(f"/staff/team/{owner_id}/role/", {"role": "manager"})  # nor taken away
    client.post(f"/staff/team/{person.pk}/deactivate/")
    client.post(f"/staff/team/{person.pk}/reactivate/")
    client.post(f"/staff/team/{person.pk}/reactivate/")  # already on

    who = alpha.owner_email
    assert entries(alpha) == [
        (who, AuditKind.STAFF_ROLE_CHANGED, "p@alpha.test",
         [{"field": "role", "old": "photographer", "new": "manager"}]),
        (who, AuditKind.STAFF_DEACTIVATED, "p@alpha.test",
         [{"field": "is_active", "old": True, "new": False}]),
        (who, AuditKind.STAFF_REACTIVATED, "p@alpha.test",
         [{"field": "is_active", "old": False, "new": True}]),
    ]  # fmt: skip
    with schema_context(alpha.schema):
        person.refresh_from_db()
        assert (person.role, person.is_active) == (Role.MANAGER, True)
        assert User.objects.get(pk=owner_id).role == Role.OWNER


def test_a_manager_cannot_change_roles(alpha):
    with schema_context(alpha.schema):
        manager = User.objects.create_user(email="m@alpha.test", password="pw", role=Role.MANAGER)
        person = User.objects.create_user(email="p@alpha.test", password="pw", role="retoucher")
    client = logged_in_client(alpha, manager)

    assert client.post(f"/staff/team/{person.pk}/role/", {"role": "manager"}).status_code == 403
    assert client.post(f"/staff/team/{person.pk}/reactivate/").status_code == 403
    assert entries(alpha) == []


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", ["Studio settings changed", "Brand colour", "Language", "English → Russian",
                "Staff member's role changed", "Role", "Photographer → Manager",
                "Product changed", "yes → no"]),
        ("ru", ["Изменены настройки студии", "Фирменный цвет", "Язык", "Английский → Русский",
                "Изменена роль сотрудника", "Роль", "Фотограф → Менеджер", "Изменён товар",
                "В продаже", "да → нет"]),
    ],
)  # fmt: skip
def test_the_log_shows_fields_and_values_in_the_readers_language(alpha, language, shown):
    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
        audit_record(
            actor=owner,
            kind=AuditKind.STUDIO_SETTINGS_CHANGED,
            changes=[
                {"field": "brand_color", "old": "#111111", "new": "#7c2d12"},
                {"field": "language", "old": "en", "new": "ru"},
            ],
        )
        audit_record(
            actor=owner,
            kind=AuditKind.STAFF_ROLE_CHANGED,
            subject="p@alpha.test",
            changes=[{"field": "role", "old": "photographer", "new": "manager"}],
        )
        audit_record(
            actor=owner,
            kind=AuditKind.PRODUCT_CHANGED,
            subject="Print 10x15",
            changes=[{"field": "active", "old": True, "new": False}],
        )
    client = logged_in_client(alpha, owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    page = html.unescape(client.get("/staff/audit/").content.decode())
    by_kind = client.get("/staff/audit/?kind=product_changed").content.decode()

    assert [text for text in shown if text in page] == shown
    assert "brand_color" not in page
    assert by_kind.count('class="audit-entry"') == 1 and "Print 10x15" in by_kind
