from decimal import Decimal

from django.core.management import call_command
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.access.models import AccessCode
from studio.commissions.models import Agreement
from studio.payroll.models import PayRule
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.models import Shoot
from tenants.models import Studio
from tests.conftest import host_client


def test_seed_demo_creates_one_login_per_role_and_a_school_and_is_repeatable(db, capsys):
    call_command("seed_demo")
    call_command("seed_demo")

    output = capsys.readouterr().out
    assert "http://demo.localhost:8000/" in output
    assert "principal@demo.pictureday.test" in output
    assert Studio.objects.filter(slug="demo").count() == 1
    assert "IBAN" in Studio.objects.get(slug="demo").bank_details  # bank transfer is offered
    with schema_context("studio_demo"):
        assert sorted(User.objects.values_list("role", flat=True)) == sorted(
            [Role.OWNER, Role.MANAGER, Role.PHOTOGRAPHER, Role.RETOUCHER, Role.PRINCIPAL]
        )
        school = School.objects.get()
        assert list(school.principals.values_list("email", flat=True)) == [
            "principal@demo.pictureday.test"
        ]
        assert list(SchoolClass.objects.values_list("name", flat=True)) == ["11A", "11B"]
        assert Student.objects.count() == 10
        # the shop: a published picture day, 3 ready photos per child + 2 class photos, codes
        shoot = Shoot.objects.get()
        assert shoot.status == "published"
        assert shoot.photos.filter(status="ready").count() == 32
        assert AccessCode.objects.filter(shoot=shoot).count() == 12
        first_code = AccessCode.objects.filter(student__isnull=False).order_by(
            "student__external_id"
        )[0]
    assert f"/?code={first_code.display}" in output
    # the money side: a signed agreement with the school, pay rules for the two who earn
    with schema_context("studio_demo"):
        assert list(Agreement.objects.values_list("status", "percent")) == [
            ("signed", Decimal("10.00"))
        ]
        assert sorted(PayRule.objects.values_list("kind", "role")) == [
            ("photo-sale", Role.PHOTOGRAPHER),
            ("retouch", Role.RETOUCHER),
        ]

    client = host_client("demo.localhost")
    response = client.post(
        "/accounts/login/",
        {"username": "manager@demo.pictureday.test", "password": "pictureday-demo"},
    )
    assert response["Location"] == "/staff/"
