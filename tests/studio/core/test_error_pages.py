"""A refused or missing page is a page: styled, translated, saying what to do."""

from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from tests.conftest import host_client, logged_in_client


def photographer(alpha):
    with schema_context(alpha.schema):
        return User.objects.create_user(
            email="ph-403@alpha.test", password="x", role=Role.PHOTOGRAPHER
        )


def test_a_refused_page_says_why_and_where_to_go(alpha):
    response = logged_in_client(alpha, photographer(alpha)).get("/staff/orders/")

    page = response.content.decode()
    assert response.status_code == 403
    assert '<link rel="stylesheet"' in page
    assert "You cannot open this page" in page
    assert "Your role (Photographer) does not include it." in page
    assert 'href="/staff/"' in page


def test_the_refusal_speaks_the_visitors_language(alpha):
    client = logged_in_client(alpha, photographer(alpha))
    client.cookies["django_language"] = "ru"

    page = client.get("/staff/orders/").content.decode()

    assert "Эта страница вам недоступна" in page


def test_a_missing_page_is_styled_and_leads_home(alpha):
    response = host_client(alpha.host).get("/no-such-page/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page and "Alpha Photo" in page
    assert 'href="/"' in page


def test_an_unknown_host_stays_a_plain_404(db):
    response = host_client("nobody.localhost").get("/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/plain")
