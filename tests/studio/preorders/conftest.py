"""A planned picture day taking pre-orders: class 4A (Anna Kovalenko, Boris Ivanov, a hidden
child), the shop's catalogue ("Class photo + 5 prints" €15, all photos €20), a class code."""

import datetime
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.access.models import AccessCode
from studio.access.services import access_codes_issue
from studio.demo.shop import demo_catalogue_seed
from studio.orders.models import Order
from studio.orders.services import payment_record_offline
from studio.photos.services.ingest import photo_ingest_file
from studio.photos.services.processing import photo_process
from studio.preorders.models import PreorderLink
from studio.preorders.services import preorder_links_issue, preorder_setup_update
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.services import shoot_create, shoot_transition
from tests.conftest import host_client
from tests.studio.photos.images import jpeg_bytes, write
from tests.studio.storefront.conftest import SHOP_PRICES, sign_in


@pytest.fixture
def day(alpha, media_in_tmp, tmp_path):
    with schema_context(alpha.schema):
        school = School.objects.create(name="School 12")
        school_class = SchoolClass.objects.create(school=school, name="4A", school_year="2026-2027")
        kids = {
            first: Student.objects.create(
                school_class=school_class,
                first_name=first,
                last_name=last,
                do_not_publish=first == "Hidden",
            )
            for first, last in (("Anna", "Kovalenko"), ("Boris", "Ivanov"), ("Hidden", "Child"))
        }
        shoot = shoot_create(school=school, name="Spring", date=datetime.date(2026, 10, 1))
        catalogue = demo_catalogue_seed(school=school, name="Standard", prices=SHOP_PRICES)
        preorder_setup_update(
            shoot=shoot,
            enabled=True,
            package_ids=[catalogue.bundle.pk, catalogue.all_digital.pk],
        )
        preorder_links_issue(shoot=shoot)
        link = PreorderLink.objects.get()
    alpha.studio.bank_details = "Acme Photo Ltd\nIBAN DE00 1234 5678"
    alpha.studio.save()
    return {
        "studio": alpha,
        "shoot": shoot,
        "catalogue": catalogue,
        "kids": kids,
        "link": link,
        "tmp_path": tmp_path,
    }


def preorder(client, day, *, child=None, package=None, name=""):
    data = {"package": (package or day["catalogue"].bundle).pk}
    if child is not None:
        data["child"] = child.pk
    if name:
        data["name"] = name
    return client.post(f"/preorder/{day['link'].code}/", data)


def checkout(client, email: str, *, method: str = "bank_transfer"):
    """Signs in and places the cart's order; returns the response of "Place order"."""
    sign_in(client, email, next_url="/checkout/")
    page = client.get("/checkout/")
    assert page.status_code == 200, page.content[:300]
    key = page.context["form"].initial["key"]
    return client.post(
        "/checkout/",
        {"key": key, "name": "M", "payment_method": method, "delivery_method": "school"},
    )


def parent_preorders(day, email="mum@example.com", *, child="Anna", package=None):
    """A parent pre-orders for ``child`` and places the order (unpaid); returns the client
    and the order."""
    client = host_client(day["studio"].host)
    response = preorder(client, day, child=day["kids"][child], package=package)
    assert response.status_code == 302 and response["Location"] == "/cart/"
    assert checkout(client, email).status_code == 302
    with schema_context(day["studio"].schema):
        order = Order.objects.filter(email=email).latest("created_at")
    return client, order


def pay(day, order, capture, amount=None):
    with schema_context(day["studio"].schema), capture(execute=True):
        payment_record_offline(
            order=order, amount=amount or order.total, method="bank_transfer", actor=None
        )
        order.refresh_from_db()
    return order


def publish(day, capture, *, transition=False):
    """Photos go online: Anna 3, Boris 1, the hidden child 1, the class photo; codes issued.
    With ``transition`` the picture day is published as staff do (``shoot_transition``, so
    ``shoot_published`` is sent and its receivers run once it commits)."""
    tmp = day["tmp_path"]
    with schema_context(day["studio"].schema):
        photographer = User.objects.create_user(
            email="ph-pre@alpha.test", password="pw-123456", role=Role.PHOTOGRAPHER
        )
        shoot, kids = day["shoot"], day["kids"]

        def photo(name, students=(), group=False, seed=0):
            with capture(execute=False):
                outcome = photo_ingest_file(
                    shoot=shoot,
                    path=write(tmp / name, jpeg_bytes(seed=seed)),
                    file_name=name,
                    uploaded_by=photographer,
                )
            item = photo_process(photo_id=outcome.photo_id)
            item.students.set(students)
            item.school_class = kids["Anna"].school_class
            item.is_group = group
            item.save()
            return item

        photos = {
            "anna1": photo("anna1.jpg", [kids["Anna"]], seed=11),
            "anna2": photo("anna2.jpg", [kids["Anna"]], seed=12),
            "anna3": photo("anna3.jpg", [kids["Anna"]], seed=13),
            "boris": photo("boris.jpg", [kids["Boris"]], seed=14),
            "hidden": photo("hidden.jpg", [kids["Hidden"]], seed=15),
            "group": photo("group.jpg", group=True, seed=16),
        }
        if transition:
            with capture(execute=True):
                for status in ("uploading", "in_review", "published"):
                    shoot = shoot_transition(shoot=shoot, to=status, actor=photographer)
        else:
            shoot.status = "published"
            shoot.save()
            access_codes_issue(shoot=shoot)
        codes = {c.student.first_name: c.code for c in AccessCode.objects.exclude(student=None)}
    return photos, codes


def money(value: str) -> Decimal:
    return Decimal(value)
