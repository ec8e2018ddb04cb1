"""Commissions in the API: a principal reads their own schools' figures and statements, not
another school's nor another studio's; photographers and retoucher get 403."""

import pytest
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role
from tests.conftest import logged_in_client
from tests.studio.commissions.test_views import make_user, setup  # noqa: F401


def test_a_principal_reads_only_their_schools_figures_and_statements(alpha, setup):  # noqa: F811
    a, b = setup["a"], setup["b"]
    client = logged_in_client(alpha, setup["principal"])

    schools = client.get("/api/commissions/schools/").json()
    assert [(row["name"], row["accrued"], row["due"]) for row in schools] == [
        ("School No. 5", "5.00", "5.00")
    ]
    statements = client.get(f"/api/commissions/schools/{a.school.pk}/statements/").json()
    assert [(s["accrued"], s["closing"]) for s in statements] == [("5.00", "5.00")]
    assert statements[0]["pdf"].startswith(f"/staff/my-schools/{a.school.pk}/statements/")
    assert client.get(statements[0]["pdf"]).content.startswith(b"%PDF")
    assert client.get(f"/api/commissions/schools/{b.school.pk}/statements/").status_code == 404


def test_the_owner_sees_every_school(alpha, setup):  # noqa: F811
    with schema_context(alpha.schema):
        owner = make_user(Role.OWNER, "owner2@alpha.test")
    client = logged_in_client(alpha, owner)
    names = {row["name"] for row in client.get("/api/commissions/schools/").json()}
    assert {"School No. 5", "Lyceum 2"} <= names
    b = setup["b"]
    statements = client.get(f"/api/commissions/schools/{b.school.pk}/statements/").json()
    assert statements[0]["pdf"].startswith("/staff/commissions/schools/")


@pytest.mark.parametrize("role", [Role.PHOTOGRAPHER, Role.RETOUCHER])
def test_other_roles_get_403(alpha, setup, role):  # noqa: F811
    client = logged_in_client(alpha, make_user(role))
    assert client.get("/api/commissions/schools/").status_code == 403
    url = f"/api/commissions/schools/{setup['a'].school.pk}/statements/"
    assert client.get(url).status_code == 403


def test_a_principal_of_another_studio_gets_nothing(alpha, beta, setup):  # noqa: F811
    with schema_context(beta.schema):
        stranger = make_user(Role.PRINCIPAL, "head@beta.test")
    client = logged_in_client(beta, stranger)
    client.defaults["HTTP_HOST"] = alpha.host
    response = client.get(f"/api/commissions/schools/{setup['a'].school.pk}/statements/")
    assert response.status_code in (401, 403, 404)
