"""Owners and managers issue API tokens with a role no higher than their own, see each token
once, and revoke them; a token acts with its role, and only in its own studio."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from saas_platform.accounts.authentication import SchemaBoundTokenAuthentication
from saas_platform.accounts.models import ApiToken, Role, User
from studio.api_tokens.services import api_token_issue, api_token_withdraw
from studio.audit.models import AuditEntry, AuditKind
from tests.conftest import logged_in_client, push_id_sequences


def owner_of(fixture):
    with schema_context(fixture.schema):
        return User.objects.get(email=fixture.owner_email)


def person(fixture, role, email=None):
    with schema_context(fixture.schema):
        return User.objects.create_user(
            email=email or f"{role}-tok@{fixture.studio.slug}.test", password="pw", role=role
        )


def api(fixture, raw):
    client = APIClient(HTTP_HOST=fixture.host)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


# --- services -----------------------------------------------------------------------------


def test_an_owner_issues_a_manager_token_stored_hashed_and_audited(in_alpha, alpha):
    owner = User.objects.get(email=alpha.owner_email)

    token, raw = api_token_issue(actor=owner, name=" Lightroom uploader ", role=Role.MANAGER)

    assert raw.startswith("pd_") and len(raw) == 46
    token = ApiToken.objects.get(pk=token.pk)
    assert (token.name, token.role, token.user, token.schema_name) == (
        "Lightroom uploader",
        Role.MANAGER,
        owner,
        alpha.schema,
    )
    assert (token.key_prefix, token.last_used_at, token.revoked_at) == (raw[:8], None, None)
    assert raw not in token.token_hash
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.kind, entry.subject, entry.changes) == (
        owner,
        AuditKind.API_TOKEN_CREATED,
        "Lightroom uploader",
        [{"field": "role", "old": None, "new": "manager"}],
    )


@pytest.mark.parametrize(
    ("creator", "scope", "allowed"),
    [
        (Role.OWNER, Role.OWNER, True),
        (Role.OWNER, Role.MANAGER, True),
        (Role.OWNER, Role.PHOTOGRAPHER, True),
        (Role.OWNER, Role.RETOUCHER, True),
        (Role.OWNER, Role.PRINCIPAL, False),
        (Role.OWNER, Role.PARENT, False),
        (Role.MANAGER, Role.OWNER, False),
        (Role.MANAGER, Role.MANAGER, True),
        (Role.MANAGER, Role.PHOTOGRAPHER, True),
        (Role.MANAGER, Role.RETOUCHER, True),
        (Role.PHOTOGRAPHER, Role.PHOTOGRAPHER, False),
        (Role.RETOUCHER, Role.RETOUCHER, False),
        (Role.PRINCIPAL, Role.PRINCIPAL, False),
        (Role.PARENT, Role.PARENT, False),
    ],
)
def test_a_token_never_acts_above_its_creator(in_alpha, creator, scope, allowed):
    user = User.objects.create_user(email=f"{creator}-c@alpha.test", password="pw", role=creator)

    if allowed:
        token, _raw = api_token_issue(actor=user, name="t", role=scope)
        assert token.role == scope
    else:
        with pytest.raises(ValidationError) as error:
            api_token_issue(actor=user, name="t", role=scope)
        assert error.value.message_dict == {"role": ["You cannot issue a token with this role."]}
        assert ApiToken.objects.count() == 0
        assert AuditEntry.objects.count() == 0


def test_a_token_needs_a_name(in_alpha, alpha):
    owner = User.objects.get(email=alpha.owner_email)

    with pytest.raises(ValidationError) as error:
        api_token_issue(actor=owner, name="  ", role=Role.OWNER)

    assert error.value.message_dict == {"name": ["Give the token a name."]}
    assert (ApiToken.objects.count(), AuditEntry.objects.count()) == (0, 0)


def test_revoking_twice_keeps_the_first_time_and_audits_once(in_alpha, alpha):
    owner = User.objects.get(email=alpha.owner_email)
    token, _raw = api_token_issue(actor=owner, name="script", role=Role.OWNER)

    first = api_token_withdraw(actor=owner, token=token).revoked_at
    second = api_token_withdraw(actor=owner, token=token).revoked_at

    assert first is not None and second == first
    assert list(AuditEntry.objects.order_by("id").values_list("kind", "subject")) == [
        (AuditKind.API_TOKEN_CREATED, "script"),
        (AuditKind.API_TOKEN_REVOKED, "script"),
    ]


def test_api_tokens_created_and_revoked_are_recorded(in_alpha, alpha):
    owner = User.objects.get(email=alpha.owner_email)

    token, _raw = api_token_issue(actor=owner, name="uploader", role=Role.PHOTOGRAPHER)
    api_token_withdraw(actor=owner, token=token)

    created, revoked = list(
        AuditEntry.objects.order_by("id").values_list("actor_email", "kind", "subject", "changes")
    )
    assert created == (
        alpha.owner_email,
        AuditKind.API_TOKEN_CREATED,
        "uploader",
        [{"field": "role", "old": None, "new": "photographer"}],
    )
    assert revoked == (
        alpha.owner_email,
        AuditKind.API_TOKEN_REVOKED,
        "uploader",
        [{"field": "role", "old": "photographer", "new": None}],
    )


# --- the API --------------------------------------------------------------------------------


def test_a_token_acts_with_its_role_not_its_creators(alpha):
    owner = owner_of(alpha)
    with schema_context(alpha.schema):
        _t, as_photographer = api_token_issue(actor=owner, name="p", role=Role.PHOTOGRAPHER)
        _t, as_manager = api_token_issue(actor=owner, name="m", role=Role.MANAGER)

    assert api(alpha, as_photographer).get("/api/me/").json() == {
        "email": alpha.owner_email,
        "role": "photographer",
        "studio": "alpha",
    }
    assert api(alpha, as_photographer).post("/api/schools/", {"name": "No"}).status_code == 403
    assert api(alpha, as_manager).post("/api/schools/", {"name": "Yes"}).status_code == 201
    with schema_context(alpha.schema):
        assert User.objects.get(pk=owner.pk).role == Role.OWNER


def test_a_token_scoped_user_cannot_save_the_tokens_role(in_alpha, alpha):
    owner = User.objects.get(email=alpha.owner_email)
    _token, raw = api_token_issue(actor=owner, name="p", role=Role.PHOTOGRAPHER)
    request = RequestFactory().get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")

    user, _auth = SchemaBoundTokenAuthentication().authenticate(request)
    user.full_name = "Renamed"
    user.save(update_fields=["full_name"])  # other fields may be saved

    assert user.role == Role.PHOTOGRAPHER
    with pytest.raises(ValueError, match="token-scoped user cannot save its role"):
        user.save()
    with pytest.raises(ValueError, match="token-scoped user cannot save its role"):
        user.save(update_fields=["role"])
    assert User.objects.values_list("role", "full_name").get(pk=owner.pk) == (
        Role.OWNER,
        "Renamed",
    )


def test_a_revoked_token_is_refused_by_the_api(alpha):
    owner = owner_of(alpha)
    with schema_context(alpha.schema):
        token, raw = api_token_issue(actor=owner, name="soon gone", role=Role.OWNER)
    assert api(alpha, raw).get("/api/schools/").status_code == 200

    revoke = logged_in_client(alpha, owner).post(f"/staff/tokens/{token.pk}/revoke/")

    assert (revoke.status_code, revoke["Location"]) == (302, "/staff/tokens/")
    response = api(alpha, raw).get("/api/schools/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked token."}


def test_a_token_stops_when_its_creator_may_no_longer_hand_out_its_role(alpha):
    manager = person(alpha, Role.MANAGER)
    with schema_context(alpha.schema):
        _t, raw = api_token_issue(actor=manager, name="m", role=Role.MANAGER)
    assert api(alpha, raw).get("/api/me/").status_code == 200

    with schema_context(alpha.schema):
        User.objects.filter(pk=manager.pk).update(role=Role.PHOTOGRAPHER)

    assert api(alpha, raw).get("/api/me/").status_code == 401


def test_last_used_is_written_at_most_once_a_minute(alpha):
    owner = owner_of(alpha)
    with schema_context(alpha.schema):
        token, raw = api_token_issue(actor=owner, name="t", role=Role.OWNER)

    api(alpha, raw).get("/api/me/")
    with schema_context(alpha.schema):
        first = ApiToken.objects.get(pk=token.pk).last_used_at
    api(alpha, raw).get("/api/me/")
    with schema_context(alpha.schema):
        assert ApiToken.objects.get(pk=token.pk).last_used_at == first
        two_minutes_ago = timezone.now() - timedelta(minutes=2)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=two_minutes_ago)
    api(alpha, raw).get("/api/me/")
    with schema_context(alpha.schema):
        third = ApiToken.objects.get(pk=token.pk).last_used_at

    assert first is not None and timezone.now() - first < timedelta(seconds=30)
    assert third > two_minutes_ago + timedelta(minutes=1)


# --- the page -------------------------------------------------------------------------------


def test_the_owner_creates_a_token_and_sees_it_once(alpha):
    client = logged_in_client(alpha, owner_of(alpha))

    created = client.post("/staff/tokens/", {"name": "Uploader", "role": "manager"})

    assert created.status_code == 200
    assert "no-store" in created["Cache-Control"]
    with schema_context(alpha.schema):
        token = ApiToken.objects.get()
    page = created.content.decode()
    raw = page.split('id="new-token-value">', 1)[1].split("<", 1)[0]
    assert raw.startswith(token.key_prefix) and len(raw) == 46
    assert f'curl -H "Authorization: Bearer {raw}" http://{alpha.host}/api/schools/' in page
    assert api(alpha, raw).get("/api/me/").json()["role"] == "manager"

    again = client.get("/staff/tokens/").content.decode()
    assert raw not in again
    assert "Uploader" in again and f"{token.key_prefix}…" in again
    assert 'class="last-used">never<' not in again  # it has just been used


def test_a_manager_cannot_issue_an_owner_token_through_the_form(alpha):
    client = logged_in_client(alpha, person(alpha, Role.MANAGER))

    page = client.get("/staff/tokens/").content.decode()
    response = client.post("/staff/tokens/", {"name": "x", "role": "owner"})

    assert '<option value="manager"' in page and '<option value="owner"' not in page
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    with schema_context(alpha.schema):
        assert ApiToken.objects.count() == 0


def test_owners_see_every_token_managers_their_own(alpha):
    owner, manager = owner_of(alpha), person(alpha, Role.MANAGER)
    with schema_context(alpha.schema):
        owners, _raw = api_token_issue(actor=owner, name="owners-token", role=Role.OWNER)
        _t, managers_raw = api_token_issue(actor=manager, name="managers-token", role=Role.MANAGER)

    as_owner = logged_in_client(alpha, owner).get("/staff/tokens/").content.decode()
    as_manager = logged_in_client(alpha, manager).get("/staff/tokens/").content.decode()

    assert "owners-token" in as_owner and "managers-token" in as_owner
    assert "owners-token" not in as_manager and "managers-token" in as_manager
    assert "(switched off)" not in as_owner
    revoke = logged_in_client(alpha, manager).post(f"/staff/tokens/{owners.pk}/revoke/")
    assert revoke.status_code == 404
    with schema_context(alpha.schema):
        assert ApiToken.objects.get(pk=owners.pk).revoked_at is None
        User.objects.filter(pk=manager.pk).update(is_active=False)
    # a switched-off person's tokens stop working; the owner sees why
    as_owner = logged_in_client(alpha, owner).get("/staff/tokens/").content.decode()
    assert f'{manager.email} <span class="muted">(switched off)</span>' in as_owner
    assert api(alpha, managers_raw).get("/api/me/").status_code == 401


def test_another_studios_token_id_is_not_found(alpha, beta):
    with schema_context(alpha.schema):
        api_token_issue(actor=owner_of(alpha), name="alpha's", role=Role.OWNER)
    with schema_context(beta.schema):
        push_id_sequences([ApiToken], start=8_000_000)
        theirs, raw = api_token_issue(actor=owner_of(beta), name="beta's", role=Role.OWNER)
    client = logged_in_client(alpha, owner_of(alpha))

    assert client.post(f"/staff/tokens/{theirs.pk}/revoke/").status_code == 404
    assert "beta&#x27;s" not in client.get("/staff/tokens/").content.decode()
    with schema_context(beta.schema):
        assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    assert api(beta, raw).get("/api/me/").status_code == 200


@pytest.mark.parametrize("role", [Role.PHOTOGRAPHER, Role.RETOUCHER, Role.PRINCIPAL, Role.PARENT])
def test_other_roles_may_not_manage_tokens(alpha, role):
    with schema_context(alpha.schema):
        token, _raw = api_token_issue(actor=owner_of(alpha), name="t", role=Role.OWNER)
    client = logged_in_client(alpha, person(alpha, role))

    assert client.get("/staff/tokens/").status_code == 403
    assert client.post("/staff/tokens/", {"name": "x", "role": role}).status_code == 403
    assert client.post(f"/staff/tokens/{token.pk}/revoke/").status_code == 403
    with schema_context(alpha.schema):
        assert (ApiToken.objects.count(), ApiToken.objects.get().revoked_at) == (1, None)


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.OWNER, True),
        (Role.MANAGER, True),
        (Role.PHOTOGRAPHER, False),
        (Role.RETOUCHER, False),
        (Role.PRINCIPAL, False),
    ],
)
def test_the_navigation_links_to_tokens_for_owners_and_managers_only(alpha, role, shown):
    user = owner_of(alpha) if role == Role.OWNER else person(alpha, role)

    page = (
        logged_in_client(alpha, user).get("/staff/settings/").content.decode()
    )  # the menu's "Settings"

    assert ('href="/staff/tokens/"' in page) is shown
