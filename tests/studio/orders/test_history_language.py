"""The order history reads in the staff member's language: notes are stored in English and
translated when shown."""

from django.utils import translation

from studio.orders.selectors import order_event_note


def test_fixed_notes_and_payments_are_translated_when_shown():
    with translation.override("ru"):
        assert order_event_note("created") == "создан"
        assert order_event_note("payment 40.00 EUR") == "платёж 40,00\xa0€"
        assert order_event_note("overpaid by 5.00 EUR: refund the difference") == (
            "переплата 5,00\xa0€: верните разницу"
        )
        assert order_event_note("a reason typed by staff") == "a reason typed by staff"
    with translation.override("en"):
        assert order_event_note("payment 40.00 EUR") == "payment €40.00"


def test_the_pricing_page_names_the_plans_in_russian(db, settings):
    from tests.conftest import host_client

    client = host_client(settings.BASE_DOMAIN)
    client.cookies["django_language"] = "ru"

    page = client.get("/pricing/").content.decode()

    assert "Старт" in page and "Студия, на год" in page
    assert ">Starter<" not in page
