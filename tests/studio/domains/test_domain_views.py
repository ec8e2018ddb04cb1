"""The owner's domains page: add, see the records, check, make main, remove; nobody else."""

import pytest
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.audit.models import AuditEntry
from tenants import domains
from tenants.domains import custom_domain_add
from tenants.models import Domain, DomainStatus
from tenants.selectors import host_cache_forget
from tests.conftest import logged_in_client

HOST = "photos.acme-studio.com"


@pytest.fixture(autouse=True)
def _forget_host():
    yield
    host_cache_forget(hostnames=[HOST])


def owner_client(fixture):
    with schema_context(fixture.schema):
        owner = User.objects.get(email=fixture.owner_email)
    return logged_in_client(fixture, owner)


def test_the_owner_adds_a_domain_and_sees_the_records_to_create(alpha):
    client = owner_client(alpha)

    response = client.post("/staff/settings/domains/", {"domain": "Photos.Acme-Studio.com"})

    assert response.status_code == 302
    domain = Domain.objects.get(domain=HOST)
    page = client.get("/staff/settings/domains/").content.decode()
    assert "Waiting for verification" in page
    assert f"_pictureday.{HOST}" in page
    assert f"pictureday-verification={domain.verification_token}" in page
    assert "alpha.localhost" in page  # the CNAME target
    settings_page = client.get("/staff/settings/").content.decode()
    assert 'href="/staff/settings/domains/"' in settings_page  # reachable from the menu
    with schema_context(alpha.schema):
        assert list(AuditEntry.objects.values_list("kind", "subject")) == [("domain_added", HOST)]


def test_a_bad_domain_is_explained_on_the_page(alpha):
    response = owner_client(alpha).post("/staff/settings/domains/", {"domain": "photos"})

    assert response.status_code == 200
    assert "Enter a host name such as photos.your-studio.com." in response.content.decode()
    assert not Domain.objects.filter(domain="photos").exists()


def test_check_now_activates_a_verified_domain_and_it_can_become_the_main_address(
    alpha, monkeypatch
):
    domain = custom_domain_add(studio=alpha.studio, hostname=HOST)
    monkeypatch.setattr(
        domains,
        "resolve_txt",
        lambda name: (
            [f"pictureday-verification={domain.verification_token}"]
            if name == f"_pictureday.{HOST}"
            else []
        ),
    )
    monkeypatch.setattr(domains, "fetch_token", lambda host, token: "")
    client = owner_client(alpha)

    client.post(f"/staff/settings/domains/{domain.pk}/check/")
    client.post(f"/staff/settings/domains/{domain.pk}/primary/")

    domain.refresh_from_db()
    assert (domain.status, domain.is_primary) == (DomainStatus.ACTIVE, True)
    page = client.get("/staff/settings/domains/").content.decode()
    assert "Main address" in page

    client.post(f"/staff/settings/domains/{domain.pk}/remove/")
    assert not Domain.objects.filter(domain=HOST).exists()
    with schema_context(alpha.schema):
        log = list(AuditEntry.objects.order_by("pk").values_list("kind", "subject", "actor_email"))
    assert log == [
        ("domain_verified", HOST, alpha.owner_email),
        ("domain_made_main", HOST, alpha.owner_email),
        ("domain_removed", HOST, alpha.owner_email),
    ]


@pytest.mark.parametrize(
    "role", [Role.MANAGER, Role.PHOTOGRAPHER, Role.RETOUCHER, Role.PRINCIPAL, Role.PARENT]
)
def test_only_the_owner_may(alpha, role):
    domain = custom_domain_add(studio=alpha.studio, hostname=HOST)
    with schema_context(alpha.schema):
        user = User.objects.create_user(email=f"{role}@alpha.test", password="x", role=role)
    client = logged_in_client(alpha, user)

    assert client.get("/staff/settings/domains/").status_code == 403
    for action in ("check", "primary", "remove"):
        assert client.post(f"/staff/settings/domains/{domain.pk}/{action}/").status_code == 403
    assert Domain.objects.filter(pk=domain.pk).exists()


def test_another_studios_domain_ids_are_not_found(alpha, beta):
    theirs = custom_domain_add(studio=beta.studio, hostname=HOST)
    client = owner_client(alpha)

    for action in ("check", "primary", "remove"):
        response = client.post(f"/staff/settings/domains/{theirs.pk}/{action}/")
        assert response.status_code == 404, action
    assert Domain.objects.get(pk=theirs.pk).tenant_id == beta.studio.pk
    assert HOST not in client.get("/staff/settings/domains/").content.decode()
