"""Money, dates and language follow the visitor's choice and the studio's settings."""

from decimal import Decimal

import pytest
from django.utils import translation

from saas_platform.money import currency_exponent, format_money, quantize
from tests.conftest import host_client

MONEY = [
    # amount, currency, language, shown
    ("1234.5", "EUR", "en", "€1,234.50"),
    ("1234.5", "EUR", "ru", "1\xa0234,50\xa0€"),
    ("1234.5", "RUB", "ru", "1\xa0234,50\xa0₽"),
    ("1234.5", "USD", "en", "$1,234.50"),
    ("1234.5", "JPY", "en", "¥1,235"),
    ("0.005", "EUR", "en", "€0.01"),
    ("0.004", "EUR", "en", "€0.00"),
    ("2.675", "USD", "en", "$2.68"),
    ("99", "UAH", "ru", "99,00\xa0₴"),
    ("1234.5", "UAH", "uk", "1\xa0234,50\xa0₴"),
    ("1234.5", "EUR", "uk", "1\xa0234,50\xa0EUR"),  # CLDR's Ukrainian writes the code
]


@pytest.mark.parametrize(("amount", "currency", "language", "shown"), MONEY)
def test_money_is_formatted_by_locale_and_currency(amount, currency, language, shown):
    assert format_money(Decimal(amount), currency, language) == shown


@pytest.mark.parametrize(
    ("currency", "exponent", "amount", "rounded"),
    [("EUR", 2, "10.005", "10.01"), ("JPY", 0, "10.5", "11"), ("KWD", 3, "1.0005", "1.001")],
)
def test_one_rounding_rule_half_up_to_the_currency_precision(currency, exponent, amount, rounded):
    assert currency_exponent(currency) == exponent
    assert quantize(Decimal(amount), currency) == Decimal(rounded)


def test_money_filter_uses_the_active_language():
    from django.template import Context, Template

    template = Template("{{ price|money:'EUR' }}")
    with translation.override("ru"):
        assert template.render(Context({"price": Decimal("5")})) == "5,00\xa0€"
    with translation.override("en"):
        assert template.render(Context({"price": Decimal("5")})) == "€5.00"


def test_a_studio_page_uses_the_studios_language_until_the_visitor_switches(alpha):
    alpha.studio.language = "ru"
    alpha.studio.save()
    client = host_client(alpha.host)

    default = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert (default["Content-Language"], default.context["LANGUAGE_CODE"]) == ("ru", "ru")

    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302
    after = client.get("/")
    assert after["Content-Language"] == "en"


def test_a_ukrainian_studio_speaks_ukrainian_until_the_visitor_switches(alpha):
    alpha.studio.language = "uk"
    alpha.studio.save()
    client = host_client(alpha.host)

    default = client.get("/", HTTP_ACCEPT_LANGUAGE="ru")
    assert (default["Content-Language"], default.context["LANGUAGE_CODE"]) == ("uk", "uk")
    assert '<option value="uk" selected>Українська</option>' in default.content.decode()

    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    assert client.get("/")["Content-Language"] == "ru"


def test_dates_in_ukrainian_use_ukrainian_month_names():
    from datetime import date, datetime

    from django.utils.formats import date_format

    with translation.override("uk"):
        assert date_format(date(2026, 12, 4)) == "4 гру 2026"
        assert date_format(datetime(2026, 3, 4, 13, 9), "DATETIME_FORMAT") == "4 бер 2026, 13:09"
        assert date_format(date(2026, 12, 4), "YEAR_MONTH_FORMAT") == "Грудень 2026"
    with translation.override("ru"):
        assert date_format(date(2026, 12, 4)) == "4 дек 2026"


def test_the_bare_domain_follows_the_browser_language(db):
    assert host_client("localhost").get("/", HTTP_ACCEPT_LANGUAGE="ru")["Content-Language"] == "ru"
    assert host_client("localhost").get("/", HTTP_ACCEPT_LANGUAGE="uk")["Content-Language"] == "uk"
    assert host_client("localhost").get("/", HTTP_ACCEPT_LANGUAGE="de")["Content-Language"] == "en"


def test_dates_are_shown_in_the_studios_time_zone(alpha):
    from datetime import UTC, datetime

    from django.utils import timezone

    alpha.studio.timezone = "Asia/Vladivostok"
    alpha.studio.save()
    response = host_client(alpha.host).get("/")

    assert response.status_code == 200
    # the middleware activated the studio's zone for the request and released it after
    assert timezone.get_current_timezone_name() == "UTC"
    moment = datetime(2026, 9, 1, 0, 30, tzinfo=UTC)
    with timezone.override("Asia/Vladivostok"):
        assert timezone.localtime(moment).strftime("%d.%m %H:%M") == "01.09 10:30"
