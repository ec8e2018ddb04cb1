"""Staff pay in the API: photographers and retouchers read their own statement only, the
owner and managers anyone's and the pay runs; another studio's people are not found."""

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.payroll.models import PayRuleKind as K
from studio.payroll.services import pay_run_create
from tests.conftest import logged_in_client, push_id_sequences
from tests.studio.payroll.conftest import rule, sell, sold


def test_a_photographer_reads_their_own_statement_and_nobody_elses(crew, books, alpha):
    rule(K.PHOTO_SALE, "2.50", role="photographer")
    books(sell, sold(crew, ("digital", 2, "10.00")))
    client = logged_in_client(alpha, crew.photographer)

    mine = client.get("/api/pay/statements/me/")
    assert mine.status_code == 200
    data = mine.json()
    assert (data["person"], data["currency"], data["closing"]) == (
        crew.photographer.pk,
        "EUR",
        "5.00",
    )
    assert [line["amount"] for line in data["lines"]] == ["5.00"]
    assert client.get(f"/api/pay/statements/{crew.second.pk}/").status_code == 403
    assert client.get(f"/api/pay/statements/{crew.photographer.pk}/").status_code == 403
    assert client.get("/api/pay/runs/").status_code == 403


@pytest.mark.parametrize(
    ("role", "anyone", "mine"),
    [
        (Role.OWNER, 200, 403),
        (Role.MANAGER, 200, 403),
        (Role.PHOTOGRAPHER, 403, 200),
        (Role.RETOUCHER, 403, 200),
        (Role.PRINCIPAL, 403, 403),
    ],
)
def test_who_may_read_which_statement(crew, alpha, role, anyone, mine):
    person = {
        Role.OWNER: crew.owner,
        Role.MANAGER: crew.manager,
        Role.PHOTOGRAPHER: crew.photographer,
        Role.RETOUCHER: crew.retoucher,
        Role.PRINCIPAL: crew.principal,
    }[role]
    client = logged_in_client(alpha, person)
    assert client.get(f"/api/pay/statements/{crew.second.pk}/").status_code == anyone
    assert client.get("/api/pay/runs/").status_code == anyone
    assert client.get("/api/pay/statements/me/").status_code == mine


def test_the_owner_reads_pay_runs_and_not_another_studios_people(crew, books, alpha, beta):
    rule(K.PHOTO_SALE, "2.00", role="photographer")
    books(sell, sold(crew, ("digital", 1, "10.00")))
    run = pay_run_create(period_end=timezone.localdate(), actor=crew.owner)
    with schema_context(beta.schema):
        push_id_sequences([User])
        theirs = User.objects.create_user(
            email="ph@beta.test", password="pw-123456", role=Role.PHOTOGRAPHER
        )
    client = logged_in_client(alpha, crew.owner)

    runs = client.get("/api/pay/runs/").json()
    assert [r["id"] for r in runs] == [run.pk]
    assert [(line["person"], line["amount"]) for line in runs[0]["lines"]] == [
        (crew.photographer.pk, "2.00")
    ]
    statement = client.get(
        f"/api/pay/statements/{crew.photographer.pk}/",
        {"starts": timezone.localdate().replace(day=1).isoformat()},
    ).json()
    assert (statement["paid"], statement["closing"]) == ("2.00", "0.00")
    assert client.get(f"/api/pay/statements/{theirs.pk}/").status_code == 404
