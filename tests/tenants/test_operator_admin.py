from saas_platform.accounts.models import User
from tests.conftest import host_client


def test_operators_manage_studios_and_domains_in_the_admin_on_the_bare_domain(alpha, beta):
    User.objects.create_superuser(email="operator@pictureday.test", password="op-secret-123")
    client = host_client("localhost")
    client.post(
        "/admin/login/?next=/admin/",
        {"username": "operator@pictureday.test", "password": "op-secret-123"},
    )

    studios = client.get("/admin/tenants/studio/").content.decode()
    domains = client.get("/admin/tenants/domain/").content.decode()

    assert "Alpha Photo" in studios and "Beta Pictures" in studios
    assert "alpha.localhost" in domains and "beta.localhost" in domains


def test_there_is_no_admin_on_a_studio_host(alpha):
    assert host_client(alpha.host).get("/admin/").status_code == 404


def test_a_studio_owner_is_not_an_operator(alpha):
    client = host_client("localhost")
    response = client.post(
        "/admin/login/?next=/admin/", {"username": alpha.owner_email, "password": "whatever-1"}
    )
    assert response.status_code == 200  # the form again, with an error
    assert client.get("/admin/tenants/studio/")["Location"].startswith("/admin/login/")
