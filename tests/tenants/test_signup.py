from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from saas_platform.accounts.models import LoginToken, Role, User
from studio.photos.models import Photo
from tenants.models import Domain, Studio
from tenants.services import studio_create, subdomain_check_available
from tests.conftest import host_client

SUBDOMAINS = [
    # (input, error code or None, normalised)
    ("moon-studio", None, "moon-studio"),
    ("Moon-Studio", None, "moon-studio"),
    ("abc", None, "abc"),
    ("a" * 40, None, "a" * 40),
    ("ab", "length", None),
    ("a" * 41, "length", None),
    ("-moon", "invalid", None),
    ("moon-", "invalid", None),
    ("moon--studio", "invalid", None),
    ("moon_studio", "invalid", None),
    ("moon.studio", "invalid", None),
    ("мун", "invalid", None),
    ("www", "reserved", None),
    ("admin", "reserved", None),
    ("API", "reserved", None),
    ("static", "reserved", None),
    ("template", "reserved", None),
    ("alpha", "taken", None),
    ("ALPHA", "taken", None),
]


@pytest.mark.parametrize(("value", "code", "normalised"), SUBDOMAINS)
def test_subdomains_are_validated_with_a_reason(alpha, value, code, normalised):
    if code is None:
        assert subdomain_check_available(slug=value) == normalised
    else:
        with pytest.raises(ValidationError) as error:
            subdomain_check_available(slug=value)
        assert error.value.code == code


def test_sign_up_creates_studio_domain_schema_and_owner(db):
    result = studio_create(
        name="Moon Studio",
        slug="moon",
        owner_email="Anna@Moon.test",
        owner_name="Anna",
        owner_password="s3cret-pass-word",
        language="ru",
    )

    studio = Studio.objects.get(slug="moon")
    assert (studio.schema_name, studio.status, studio.language) == ("studio_moon", "trial", "ru")
    trial_left = studio.licence_valid_until - timezone.now()
    assert timedelta(days=13, hours=23) < trial_left <= timedelta(days=14)
    assert studio.is_selling
    assert list(Domain.objects.filter(tenant=studio).values_list("domain", "is_primary")) == [
        ("moon.localhost", True)
    ]
    assert schema_exists("studio_moon")
    with schema_context("studio_moon"):
        owner = User.objects.get()
        assert (owner.email, owner.role, owner.check_password("s3cret-pass-word")) == (
            "anna@moon.test",
            Role.OWNER,
            True,
        )
        assert LoginToken.objects.filter(user=owner, used_at__isnull=True).count() == 1
    # the owner exists only in the new studio's schema, not on the platform
    assert not User.objects.filter(email="anna@moon.test").exists()
    assert result.login_token


def test_a_failed_sign_up_leaves_no_half_made_studio(db, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("mail server down")

    monkeypatch.setattr("tenants.services.login_token_issue", explode)

    with pytest.raises(RuntimeError):
        studio_create(
            name="Broken",
            slug="broken",
            owner_email="x@broken.test",
            owner_name="X",
            owner_password="s3cret-pass-word",
        )

    connection.set_schema_to_public()
    assert not Studio.objects.filter(slug="broken").exists()
    assert not Domain.objects.filter(domain="broken.localhost").exists()
    assert not schema_exists("studio_broken")


def test_sign_up_form_lands_owner_logged_in_on_the_subdomain(db):
    public = host_client("localhost")
    response = public.post(
        "/signup/",
        {
            "studio_name": "Sun Studio",
            "subdomain": "Sun-Studio",
            "country": "NL",
            "owner_name": "Boris",
            "email": "boris@sun.test",
            "password": "s3cret-pass-word",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith("http://sun-studio.localhost/accounts/welcome/")

    studio_client = host_client("sun-studio.localhost")
    landing = studio_client.get(response["Location"].removeprefix("http://sun-studio.localhost"))
    assert (landing.status_code, landing["Location"]) == (302, "/staff/")
    dashboard = studio_client.get("/staff/")
    assert dashboard.status_code == 200
    assert "Sun Studio" in dashboard.content.decode()

    # the link is single-use
    again = host_client("sun-studio.localhost").get(
        response["Location"].removeprefix("http://sun-studio.localhost"), follow=True
    )
    assert again.request["PATH_INFO"] == "/accounts/login/"
    assert "expired or was already used" in again.content.decode()
    sun = Studio.objects.get(slug="sun-studio")
    assert (sun.country, sun.currency, sun.language, sun.timezone) == (
        "NL",
        "EUR",
        "en",
        "Europe/Amsterdam",
    )


def test_sign_up_form_reports_each_problem_next_to_its_field(alpha):
    response = host_client("localhost").post(
        "/signup/",
        {
            "studio_name": "",
            "subdomain": "alpha",
            "owner_name": "B",
            "email": "nope",
            "password": "123",
        },
    )

    errors = response.context["form"].errors
    assert response.status_code == 200
    assert errors["subdomain"] == ["This subdomain is already taken."]
    assert errors["studio_name"] == ["This field is required."]
    assert errors["email"] == ["Enter a valid email address."]
    assert errors["country"] == ["This field is required."]
    assert (
        "This password is too short. It must contain at least 8 characters." in errors["password"]
    )
    assert not Studio.objects.filter(name="").exists()


def test_sign_up_form_carries_each_countrys_proposal(db):
    response = host_client("localhost").get("/signup/")

    proposals = response.context["proposals"]
    assert proposals["RU"] == {
        "currency": "RUB",
        "language": "Russian",
        "timezone": "Europe/Moscow",
    }
    assert 'id="country-proposals"' in response.content.decode()


def test_signup_page_is_not_served_on_a_studio_host(alpha):
    assert host_client(alpha.host).get("/signup/").status_code == 404


def _apps_depending_on(app_label: str) -> set[str]:
    """``app_label`` and every app whose migrations depend on it, transitively."""
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    apps = {app_label}
    changed = True
    while changed:
        changed = False
        for node in graph.nodes:
            if node[0] not in apps and any(
                parent[0] in apps for parent in graph.node_map[node].parents
            ):
                apps.add(node[0])
                changed = True
    return apps


def test_a_clone_of_a_base_schema_that_lags_behind_gets_the_missing_migrations_for_real(db):
    # As after a deploy whose new migrations have not reached the base schema yet: the
    # photos app (and the apps built on it) is missing from the base schema.
    lagging = _apps_depending_on("photos")
    pattern = "^(" + "|".join(sorted(lagging)) + ")_"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(format('studio_template.%%I', tablename), ', ') FROM pg_tables"
            " WHERE schemaname = 'studio_template' AND tablename ~ %s",
            [pattern],
        )
        cursor.execute(f"DROP TABLE {cursor.fetchone()[0]} CASCADE")
        cursor.execute(
            "DELETE FROM studio_template.django_migrations WHERE app = ANY(%s)", [sorted(lagging)]
        )

    studio_create(
        name="Lag",
        slug="lagging",
        owner_email="l@x.test",
        owner_name="L",
        owner_password="pw-123456-x",
    )

    with schema_context("studio_lagging"):
        assert Photo.objects.count() == 0  # the table exists: applied, not faked
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT app FROM django_migrations WHERE app = ANY(%s)", [sorted(lagging)]
            )
            assert sorted(row[0] for row in cursor.fetchall()) == sorted(lagging)


@pytest.mark.parametrize(
    ("status", "days_left", "selling"),
    [
        ("trial", 3, True),
        ("trial", -1, False),
        ("active", 30, True),
        ("active", -1, False),
        ("suspended", 30, False),
        ("blocked", 30, False),
    ],
)
def test_a_lapsed_or_blocked_licence_stops_the_storefront_but_keeps_the_data(
    alpha, status, days_left, selling
):
    alpha.studio.status = status
    alpha.studio.licence_valid_until = timezone.now() + timedelta(days=days_left)
    alpha.studio.save()

    page = host_client(alpha.host).get("/").content.decode()

    assert alpha.studio.is_selling is selling
    assert ("not taking orders" in page) is not selling
    assert ("Enter the access code" in page) is selling


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("DE", ("EUR", "en", "Europe/Berlin")),
        ("fr", ("EUR", "en", "Europe/Paris")),
        ("UA", ("UAH", "uk", "Europe/Kyiv")),
        ("RU", ("RUB", "ru", "Europe/Moscow")),
        ("GB", ("GBP", "en", "Europe/London")),
        ("US", ("USD", "en", "America/New_York")),
        ("KZ", ("KZT", "ru", "Asia/Almaty")),
        ("", ("EUR", "en", "UTC")),
    ],
)
def test_sign_up_proposes_currency_language_and_time_zone_from_the_country(db, country, expected):
    result = studio_create(
        name="Proposal Studio",
        slug="proposal",
        owner_email="p@proposal.test",
        owner_name="P",
        owner_password=None,
        country=country,
    )

    studio = result.studio
    assert (studio.country, studio.currency, studio.language, studio.timezone) == (
        country.upper(),
        *expected,
    )


def test_sign_up_keeps_explicit_choices_over_the_countrys_proposal(db):
    result = studio_create(
        name="Explicit",
        slug="explicit",
        owner_email="e@explicit.test",
        owner_name="E",
        owner_password=None,
        country="DE",
        currency="usd",
        language="ru",
        timezone="Asia/Tokyo",
    )

    assert (result.studio.currency, result.studio.language, result.studio.timezone) == (
        "USD",
        "ru",
        "Asia/Tokyo",
    )


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"country": "XX"}, "country"),
        ({"currency": "ABC"}, "currency"),
        ({"timezone": "Mars/Base"}, "timezone"),
    ],
)
def test_sign_up_refuses_unknown_country_currency_or_time_zone(db, kwargs, code):
    with pytest.raises(ValidationError) as error:
        studio_create(
            name="Bad",
            slug="bad-values",
            owner_email="b@bad.test",
            owner_name="B",
            owner_password=None,
            **kwargs,
        )

    assert error.value.code == code
    assert not Studio.objects.filter(slug="bad-values").exists()
