"""Custom domains: added pending, verified by a DNS TXT record or a served token (DNS and
HTTP are stubbed, never the internet), routed and given certificates only when active."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from saas_platform.accounts.models import User
from tenants import domains
from tenants.domains import (
    custom_domain_add,
    custom_domain_check,
    custom_domain_records,
    custom_domain_remove,
    custom_domains_check_pending,
    domain_set_primary,
)
from tenants.models import Domain, DomainStatus
from tenants.selectors import host_cache_forget, studio_url
from tests.conftest import host_client, logged_in_client
from tests.fakedns import FakeDns

HOST = "photos.acme-studio.com"


@pytest.fixture
def dns(monkeypatch, settings):
    """A local DNS server answering TXT from ``dns.txt`` (through dnspython's real resolver),
    and the token each host serves over HTTP from ``dns.served``."""
    server = FakeDns().start()
    settings.CUSTOM_DOMAIN_DNS = server.address
    server.served = {}
    monkeypatch.setattr(domains, "fetch_token", lambda host, token: server.served.get(host, ""))
    yield server
    server.stop()
    host_cache_forget(hostnames=[HOST])


def txt_record(domain: Domain) -> dict[str, list[str]]:
    return {
        f"_pictureday.{domain.domain}": [
            "v=spf1 -all",
            f"pictureday-verification={domain.verification_token}",
        ]
    }


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Photos.Acme-Studio.com", HOST),
        ("https://photos.acme-studio.com/gallery", HOST),
        ("photos.acme-studio.com.", HOST),
    ],
)
def test_a_domain_is_added_normalised_and_pending(alpha, typed, expected):
    domain = custom_domain_add(studio=alpha.studio, hostname=typed)

    assert domain.domain == expected
    assert domain.status == DomainStatus.PENDING
    assert domain.is_primary is False
    assert len(domain.verification_token) >= 30
    records = custom_domain_records(domain)
    assert [(r.type, r.name) for r in records] == [
        ("CNAME", HOST),
        ("TXT", f"_pictureday.{HOST}"),
    ]
    assert records[0].value == f"alpha.{settings.BASE_DOMAIN}"
    assert records[1].value == f"pictureday-verification={domain.verification_token}"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("photos", "invalid"),
        ("10.0.0.1", "invalid"),
        ("-bad.example.com", "invalid"),
        ("a..b.com", "invalid"),
        (f"shop.{settings.BASE_DOMAIN}", "platform"),
        (settings.BASE_DOMAIN, "platform"),
        (f"beta.{settings.BASE_DOMAIN}", "platform"),
    ],
)
def test_bad_or_platform_hosts_are_refused(alpha, typed, code):
    with pytest.raises(ValidationError) as error:
        custom_domain_add(studio=alpha.studio, hostname=typed)
    assert error.value.code == code


def test_a_domain_taken_by_another_studio_is_refused(alpha, beta):
    custom_domain_add(studio=beta.studio, hostname=HOST)
    with pytest.raises(ValidationError) as error:
        custom_domain_add(studio=alpha.studio, hostname=HOST)
    assert error.value.code == "taken"


def test_a_pending_domain_routes_nothing_but_serves_its_token(alpha, dns):
    domain = custom_domain_add(studio=alpha.studio, hostname=HOST)
    client = host_client(HOST)

    assert client.get("/").status_code == 404
    token = client.get(f"/.well-known/pictureday-domain/{domain.verification_token}")
    assert token.status_code == 200
    assert token.content.decode() == domain.verification_token
    assert client.get("/.well-known/pictureday-domain/wrong").status_code == 404
    # another host cannot serve this domain's token
    other = host_client(alpha.host).get(
        f"/.well-known/pictureday-domain/{domain.verification_token}"
    )
    assert other.status_code == 404


def test_the_txt_record_verifies_and_then_the_domain_serves_the_studio(alpha, dns):
    domain = custom_domain_add(studio=alpha.studio, hostname=HOST)
    assert host_client(HOST).get("/").status_code == 404  # the miss is cached too

    dns.txt = txt_record(domain)
    assert custom_domain_check(domain=domain) is True

    domain.refresh_from_db()
    assert domain.status == DomainStatus.ACTIVE and domain.verified_at is not None
    response = host_client(HOST).get("/")
    assert response.status_code == 200
    assert "Alpha Photo" in response.content.decode()


def test_the_served_token_verifies_too(alpha, dns):
    domain = custom_domain_add(studio=alpha.studio, hostname=HOST)
    dns.served = {HOST: domain.verification_token}

    assert custom_domain_check(domain=domain) is True


def test_a_failed_check_stays_pending_and_says_why(alpha, dns):
    domain = custom_domain_add(studio=alpha.studio, hostname=HOST)
    dns.txt = {f"_pictureday.{HOST}": ["pictureday-verification=someone-elses-token"]}
    dns.served = {HOST: "someone-elses-token"}

    assert custom_domain_check(domain=domain) is False

    domain.refresh_from_db()
    assert domain.status == DomainStatus.PENDING
    assert domain.checked_at is not None
    assert "TXT record" in domain.check_error


def test_the_periodic_check_activates_every_verified_pending_domain(alpha, beta, dns):
    a = custom_domain_add(studio=alpha.studio, hostname=HOST)
    b = custom_domain_add(studio=beta.studio, hostname="beta-photos.example.org")
    dns.txt = txt_record(a)

    assert custom_domains_check_pending() == 1
    assert sorted(dns.asked) == ["_pictureday.beta-photos.example.org", f"_pictureday.{HOST}"]

    statuses = dict(Domain.objects.filter(pk__in=[a.pk, b.pk]).values_list("domain", "status"))
    assert statuses == {HOST: "active", "beta-photos.example.org": "pending"}


def test_the_tls_proxy_gets_a_yes_only_for_active_hosts(alpha, dns):
    domain = custom_domain_add(studio=alpha.studio, hostname=HOST)
    any_host = host_client("web:8000")  # Caddy asks the pod directly

    def ask(host):
        return any_host.get("/tls/ask", {"domain": host}).status_code

    assert ask(HOST) == 404
    assert ask(alpha.host) == 200
    assert ask(settings.BASE_DOMAIN) == 200
    assert ask("unknown.example.com") == 404
    assert ask("") == 404
    dns.txt = txt_record(domain)
    custom_domain_check(domain=domain)
    assert ask(HOST) == 200
    custom_domain_remove(studio=alpha.studio, domain_id=domain.pk)
    assert ask(HOST) == 404


def test_the_main_address_can_move_to_a_verified_domain_and_back(alpha, dns):
    domain = custom_domain_add(studio=alpha.studio, hostname=HOST)
    with pytest.raises(ValidationError):
        domain_set_primary(studio=alpha.studio, domain_id=domain.pk)
    dns.txt = txt_record(domain)
    custom_domain_check(domain=domain)

    domain_set_primary(studio=alpha.studio, domain_id=domain.pk)

    assert urlsplit(studio_url(studio=alpha.studio, path="/x/")).hostname == HOST
    assert list(
        Domain.objects.filter(tenant=alpha.studio, is_primary=True).values_list("domain", flat=True)
    ) == [HOST]
    custom_domain_remove(studio=alpha.studio, domain_id=domain.pk)
    assert urlsplit(studio_url(studio=alpha.studio, path="/x/")).hostname == alpha.host
    assert Domain.objects.get(domain=alpha.host).is_primary is True


def test_the_studios_own_address_cannot_be_removed_nor_another_studios_domain(alpha, beta):
    own = Domain.objects.get(domain=alpha.host)
    with pytest.raises(ValidationError):
        custom_domain_remove(studio=alpha.studio, domain_id=own.pk)
    theirs = custom_domain_add(studio=beta.studio, hostname=HOST)
    with pytest.raises(Domain.DoesNotExist):
        custom_domain_remove(studio=alpha.studio, domain_id=theirs.pk)
    with pytest.raises(Domain.DoesNotExist):
        domain_set_primary(studio=alpha.studio, domain_id=theirs.pk)


def test_a_removed_domain_logs_nobody_into_the_studio_that_takes_it_next(alpha, beta, dns):
    domain = custom_domain_add(studio=alpha.studio, hostname=HOST)
    dns.txt = txt_record(domain)
    custom_domain_check(domain=domain)
    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
    client = logged_in_client(alpha, owner)
    client.defaults["HTTP_HOST"] = HOST
    assert client.get("/staff/").status_code == 200  # the session works on the custom host

    custom_domain_remove(studio=alpha.studio, domain_id=domain.pk)
    assert client.get("/staff/").status_code == 404

    taken = custom_domain_add(studio=beta.studio, hostname=HOST)
    dns.txt = txt_record(taken)
    custom_domain_check(domain=taken)
    response = client.get("/staff/")  # alpha's cookie, now on beta's host
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
