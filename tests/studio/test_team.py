"""Owners invite staff, one seat each as the plan allows; invited people set a password."""

import re
from urllib.parse import urlsplit

from django.core import mail
from django_tenants.utils import get_public_schema_name, schema_context

from billing.models import Plan
from saas_platform.accounts.models import Role, User
from tenants.models import Studio
from tests.conftest import host_client, logged_in_client, push_id_sequences


def owner(fixture):
    with schema_context(fixture.schema):
        return User.objects.get(email=fixture.owner_email)


def test_an_invited_photographer_sets_a_password_and_logs_in(alpha):
    client = logged_in_client(alpha, owner(alpha))

    response = client.post(
        "/staff/team/", {"email": "New.Ph@alpha.test", "full_name": "Nina", "role": "photographer"}
    )

    assert response.status_code == 302
    (invite,) = mail.outbox
    assert invite.to == ["new.ph@alpha.test"]
    link = re.search(r"https?://\S+", invite.body).group(0)
    assert alpha.host in link
    path = urlsplit(link).path
    guest = host_client(alpha.host)
    form_page = guest.get(path, follow=True)
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    done = guest.post(
        set_url, {"new_password1": "Sunny-day-2026", "new_password2": "Sunny-day-2026"}
    )
    assert done.status_code == 302
    login = host_client(alpha.host).post(
        "/accounts/login/", {"username": "new.ph@alpha.test", "password": "Sunny-day-2026"}
    )
    assert login.status_code == 302
    with schema_context(alpha.schema):
        assert User.objects.get(email="new.ph@alpha.test").role == Role.PHOTOGRAPHER


def test_seats_beyond_the_plan_are_refused_with_an_upgrade_link(alpha):
    with schema_context(get_public_schema_name()):
        plan = Plan.objects.create(code="two-seats", name="Two seats", kind="monthly", max_staff=2)
        Studio.objects.filter(pk=alpha.studio.pk).update(plan=plan)
    client = logged_in_client(alpha, owner(alpha))
    with schema_context(alpha.schema):
        seats = User.objects.filter(
            role__in=["owner", "manager", "photographer", "retoucher", "principal"], is_active=True
        ).count()

    for n in range(2 - seats):
        client.post("/staff/team/", {"email": f"s{n}@alpha.test", "role": "retoucher"})
    page = client.post("/staff/team/", {"email": "one-too-many@alpha.test", "role": "retoucher"})

    assert page.status_code == 200
    assert "staff seats" in page.content.decode() and "/staff/billing/" in page.content.decode()
    with schema_context(alpha.schema):
        assert not User.objects.filter(email="one-too-many@alpha.test").exists()
        someone = User.objects.filter(role="retoucher").first() or User.objects.create_user(
            email="r-free@alpha.test", password="x", role="retoucher"
        )
    # switching someone off frees the seat
    client.post(f"/staff/team/{someone.pk}/deactivate/")
    with schema_context(alpha.schema):
        someone.refresh_from_db()
        assert someone.is_active is False


def test_only_owners_manage_the_team_and_only_their_own_studio(alpha, beta):
    with schema_context(alpha.schema):
        manager = User.objects.create_user(
            email="m-team@alpha.test", password="x", role=Role.MANAGER
        )
    with schema_context(beta.schema):
        push_id_sequences([User], start=7_000_000)  # an id alpha does not have
        beta_person = User.objects.create_user(
            email="p-team@beta.test", password="x", role=Role.PHOTOGRAPHER
        )

    assert logged_in_client(alpha, manager).get("/staff/team/").status_code == 403
    assert (
        logged_in_client(alpha, manager).post(f"/staff/team/{manager.pk}/deactivate/").status_code
        == 403
    )
    owner_client = logged_in_client(alpha, owner(alpha))
    assert owner_client.post(f"/staff/team/{beta_person.pk}/deactivate/").status_code == 404
    assert owner_client.post(f"/staff/team/{owner(alpha).pk}/deactivate/").status_code == 302
    with schema_context(alpha.schema):
        assert User.objects.get(email=alpha.owner_email).is_active
