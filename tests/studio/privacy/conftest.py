"""A published picture day (the storefront's ``published``) with a consent text, and orders
for Anna (alone) and for Anna and Boris, paid, with download links."""

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.downloads.services import download_grant_issue
from studio.orders.services import LineInput, order_create, payment_confirm, payment_create
from studio.schools.models import Student
from tests.studio.orders.conftest import run_tasks  # noqa: F401
from tests.studio.storefront.conftest import sign_in  # noqa: F401
from tests.studio.storefront.test_gallery import parent_with, published  # noqa: F401


def staff(role: str, email: str | None = None) -> User:
    return User.objects.create_user(
        email=email or f"{role}-privacy@alpha.test", password="pw-123456", role=role
    )


def line(student, photo, *, kind="digital", net="5.00") -> LineInput:
    return LineInput(
        description="Digital file" if kind == "digital" else "Print 10×15",
        kind=kind,
        quantity=1,
        unit_price=Decimal(net),
        gross=Decimal(net),
        net=Decimal(net),
        child_id=student.pk,
        photo_id=photo.pk,
        shoot_id=photo.shoot_id,
    )


def paid_order(lines, *, email="mum@example.com", parent=None, key="k"):
    order = order_create(
        lines=lines,
        currency="EUR",
        email=email,
        parent=parent,
        payment_method="bank_transfer",
        idempotency_key=key,
        delivery={"method": "home", "name": "Maria K", "phone": "+371 2000 0000",
                  "address": "Main St 1", "city": "Riga", "postcode": "LV-1001",
                  "country": "LV"},
    )  # fmt: skip
    payment_confirm(payment=payment_create(order=order, provider="bank_transfer"))
    order.refresh_from_db()
    return order


@pytest.fixture
def family(published, django_capture_on_commit_callbacks, run_tasks):  # noqa: F811
    """Anna's and Boris's photos sold: one order of Anna's alone, one of both."""
    with schema_context(published["studio"].schema):
        anna = Student.objects.get(first_name="Anna")
        boris = Student.objects.get(first_name="Boris")
        photos = published["photos"]
        photos["group"].students.add(anna)  # Anna is tagged on the class photo too
        with django_capture_on_commit_callbacks(execute=True):
            only_anna = paid_order(
                [line(anna, photos["anna1"]), line(anna, photos["anna2"], kind="print")],
                key="anna",
            )
            both = paid_order(
                [line(anna, photos["anna1"]), line(boris, photos["boris"], net="7.00")], key="both"
            )
        grants = {o.number: download_grant_issue(order=o) for o in (only_anna, both)}
    return {
        **published,
        "anna": anna,
        "boris": boris,
        "only_anna": only_anna,
        "both": both,
        "grants": grants,
        "roles": Role,
    }
