"""The invoice PDF, the order page's download block, and who may re-issue links or fetch an
invoice (the order's own parent, staff who manage orders; nobody else, in no other studio)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.downloads.services import download_grant_issue, order_downloads
from studio.orders.invoices import invoice_pdf
from tests.conftest import host_client, logged_in_client

from .conftest import digital_line, package_line, place
from .pdftext import pdf_text


@pytest.fixture
def order(day):
    with schema_context(day.studio.schema):
        return place(
            day,
            [
                digital_line(day.photos["anna1"], price="5.00"),
                package_line(
                    day.package,
                    day.kids["Anna"],
                    price="30.00",
                    adjustments=[("Скидка для братьев и сестёр", Decimal("-3.00"))],
                ),
            ],
            key="inv",
            paid=False,
            delivery={"method": "none", "name": "Мария Иванова"},
            discount_total=Decimal("3.00"),
        )


def test_the_invoice_lists_lines_discounts_totals_and_bank_details(day, order):
    studio = day.studio.studio
    studio.bank_details = "IBAN DE02 1203 0000 0000 2020 51\nБанк «Пример»"
    with schema_context(day.studio.schema), translation.override("en"):
        text = pdf_text(invoice_pdf(order=order, studio=studio))

    for expected in [
        "Alpha Photo",
        f"Invoice {order.number}",
        "Мария Иванова",
        "mama@example.test",
        "Digital file IMG_0001.jpg",
        "All photos as digital files",
        "Скидка для братьев и сестёр: -€3.00",
        "€5.00",
        "€27.00",
        "Subtotal",
        "€35.00",
        "Discounts",
        "Total",
        "€32.00",
        "Balance due",
        f"Please write {order.number} as the payment reference.",
        "IBAN DE02 1203 0000 0000 2020 51",
        "Банк «Пример»",
    ]:
        assert expected in text, expected


def test_the_invoice_names_the_seller_as_set_in_studio_settings(day, order):
    studio = day.studio.studio
    studio.legal_name = "ООО «Альфа Фото»"
    studio.legal_address = "ул. Ленина, 1\nМосква"
    studio.contact_email = "help@alpha.test"
    with schema_context(day.studio.schema), translation.override("en"):
        text = pdf_text(invoice_pdf(order=order, studio=studio))

    for expected in ["ООО «Альфа Фото»", "ул. Ленина, 1", "Москва", "help@alpha.test"]:
        assert expected in text, expected


def test_a_paid_cash_invoice_has_no_bank_details_and_nothing_due(day):
    studio = day.studio.studio
    studio.bank_details = "IBAN DE02 1203 0000 0000 2020 51"
    with schema_context(day.studio.schema), translation.override("en"):
        paid = place(day, [digital_line(day.photos["anna2"])], key="cash", method="cash")
        text = pdf_text(invoice_pdf(order=paid, studio=studio))

    assert "IBAN" not in text and "payment reference" not in text
    assert "Balance due €0.00" in text.replace("  ", " ")


def test_the_invoice_downloads_for_its_parent_and_staff(day, order):
    for user in (day.parent, day.owner):
        response = logged_in_client(day.studio, user).get(f"/downloads/{order.number}/invoice.pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'attachment; filename="invoice-{order.number}.pdf"'
        )
        assert f"Invoice {order.number}" in pdf_text(response.content)


ENDPOINTS = [("get", "/downloads/{number}/invoice.pdf"), ("post", "/downloads/{number}/reissue/")]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_anonymous_users_are_sent_to_sign_in(day, order, method, url):
    response = getattr(host_client(day.studio.host), method)(url.format(number=order.number))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_another_parent_does_not_find_the_order(day, order, method, url):
    client = logged_in_client(day.studio, day.other_parent)
    assert getattr(client, method)(url.format(number=order.number)).status_code == 404


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_staff_without_order_rights_are_refused(day, order, method, url):
    client = logged_in_client(day.studio, day.photographer)
    assert getattr(client, method)(url.format(number=order.number)).status_code == 403


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_another_studio_does_not_find_the_order(day, order, beta, method, url):
    with schema_context(beta.schema):
        beta_owner = User.objects.get(email=beta.owner_email)
        beta_parent = User.objects.create_user(
            email=day.parent.email, password="pw-123456", role=Role.PARENT
        )
    for user in (beta_owner, beta_parent):
        client = logged_in_client(beta, user)
        assert getattr(client, method)(url.format(number=order.number)).status_code == 404
    # Alpha's signed-in parent's session does not carry over to beta's host either.
    alpha_session = logged_in_client(day.studio, day.parent)
    alpha_session.defaults["HTTP_HOST"] = beta.host
    response = getattr(alpha_session, method)(url.format(number=order.number))
    assert response.status_code in (302, 404)


def test_reissue_of_an_unpaid_order_sends_nothing(day, order, mailoutbox):
    response = logged_in_client(day.studio, day.parent).post(f"/downloads/{order.number}/reissue/")
    assert response.status_code == 302
    assert mailoutbox == []


def _render(downloads):
    request = RequestFactory().get("/account/orders/x/")
    request.user = AnonymousUser()
    return render_to_string(
        "downloads/_order_downloads.html", {"downloads": downloads}, request=request
    )


def test_the_order_page_block_lists_downloads_or_offers_new_links(day):
    with schema_context(day.studio.schema), translation.override("en"):
        paid = place(day, [package_line(day.package, day.kids["Anna"])], key="page")
        live = order_downloads(order=paid)
        page = _render(live)
        assert "Download all (ZIP)" in page and live.zip_url in page
        for item in live.items:
            assert item.url in page and item.thumb_url in page
        assert "Send me new links" not in page

        grant = download_grant_issue(order=paid)
        expired = _render(
            order_downloads(order=paid, now=grant.expires_at + datetime.timedelta(hours=1))
        )
        assert "Send me new links" in expired and f"/downloads/{paid.number}/reissue/" in expired
        assert "Download all (ZIP)" not in expired
