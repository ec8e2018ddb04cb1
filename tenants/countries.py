"""Countries a studio can sign up from, and what each proposes for currency, language and
time zone. The owner changes any of them later at ``/staff/settings/``."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class CountryDefaults:
    name: str
    currency: str
    language: str
    timezone: str


COUNTRIES: dict[str, CountryDefaults] = {
    "AT": CountryDefaults(_("Austria"), "EUR", "en", "Europe/Vienna"),
    "BE": CountryDefaults(_("Belgium"), "EUR", "en", "Europe/Brussels"),
    "DE": CountryDefaults(_("Germany"), "EUR", "en", "Europe/Berlin"),
    "ES": CountryDefaults(_("Spain"), "EUR", "en", "Europe/Madrid"),
    "FR": CountryDefaults(_("France"), "EUR", "en", "Europe/Paris"),
    "GB": CountryDefaults(_("United Kingdom"), "GBP", "en", "Europe/London"),
    "IE": CountryDefaults(_("Ireland"), "EUR", "en", "Europe/Dublin"),
    "IT": CountryDefaults(_("Italy"), "EUR", "en", "Europe/Rome"),
    "KZ": CountryDefaults(_("Kazakhstan"), "KZT", "ru", "Asia/Almaty"),
    "NL": CountryDefaults(_("Netherlands"), "EUR", "en", "Europe/Amsterdam"),
    "PL": CountryDefaults(_("Poland"), "PLN", "en", "Europe/Warsaw"),
    "RU": CountryDefaults(_("Russia"), "RUB", "ru", "Europe/Moscow"),
    "UA": CountryDefaults(_("Ukraine"), "UAH", "uk", "Europe/Kyiv"),
    "US": CountryDefaults(_("United States"), "USD", "en", "America/New_York"),
}


def country_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(c.name)) for code, c in COUNTRIES.items()), key=lambda c: c[1])


def country_defaults(code: str) -> CountryDefaults | None:
    return COUNTRIES.get((code or "").upper())


def country_proposals() -> dict[str, dict[str, str]]:
    """What each country proposes, for the sign-up form to show as the country is chosen."""
    languages = dict(settings.LANGUAGES)
    return {
        code: {
            "currency": c.currency,
            "language": str(languages.get(c.language, c.language)),
            "timezone": c.timezone,
        }
        for code, c in COUNTRIES.items()
    }
