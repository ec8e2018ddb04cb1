"""The catalogue over the REST API: the same services and rules as the staff pages."""

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from saas_platform.accounts.models import Role, User
from studio.catalogue.models import Coupon, Package, PriceSheet, Product
from studio.catalogue.services.price_sheets import price_sheet_create, price_sheet_item_set
from studio.catalogue.services.products import product_create
from studio.schools.models import School
from tests.conftest import push_id_sequences

D = Decimal


def api_for(studio, role):
    with schema_context(studio.schema):
        user = User.objects.create_user(email=f"{role}-capi@x.test", password="pw-1", role=role)
    client = APIClient(HTTP_HOST=studio.host)
    with schema_context(studio.schema):
        client.force_login(user)
    return client


def test_the_catalogue_is_in_the_openapi_schema(alpha):
    schema = APIClient(HTTP_HOST=alpha.host).get("/api/schema/?format=json").json()

    assert {
        "/api/catalogue/products/",
        "/api/catalogue/products/{id}/",
        "/api/catalogue/price-sheets/",
        "/api/catalogue/price-sheets/{id}/prices/",
        "/api/catalogue/price-sheets/{id}/duplicate/",
        "/api/catalogue/price-sheets/{id}/attach/",
        "/api/catalogue/price-sheets/{id}/preview/",
        "/api/catalogue/packages/",
        "/api/catalogue/coupons/",
    } <= set(schema["paths"])


@pytest.mark.parametrize("role", [Role.PHOTOGRAPHER, Role.RETOUCHER, Role.PRINCIPAL, Role.PARENT])
def test_other_roles_are_refused(alpha, role):
    client = api_for(alpha, role)

    assert client.get("/api/catalogue/products/").status_code == 403
    assert client.post("/api/catalogue/price-sheets/", {"name": "X"}).status_code == 403


def test_a_manager_builds_a_sheet_and_prices_a_family(alpha):
    client = api_for(alpha, Role.MANAGER)
    with schema_context(alpha.schema):
        school = School.objects.create(name="Oak Primary")

    product = client.post(
        "/api/catalogue/products/", {"kind": "print", "name": "Print", "print_size": "10×15"}
    ).json()
    bad = client.post("/api/catalogue/products/", {"kind": "print", "name": "No size"})
    sheet = client.post("/api/catalogue/price-sheets/", {"name": "2027"}).json()
    base = f"/api/catalogue/price-sheets/{sheet['id']}/"
    priced = client.post(
        base + "prices/", {"product": product["id"], "price": "2.50"}, format="json"
    )
    too_precise = client.post(
        base + "prices/", {"product": product["id"], "price": "2.505"}, format="json"
    )
    package = client.post(
        "/api/catalogue/packages/",
        {"sheet": sheet["id"], "name": "Class photo + 5 prints", "kind": "bundle",
         "price": "15.00", "items": [{"product": product["id"], "quantity": 5}]},
        format="json",
    )  # fmt: skip
    attached = client.post(base + "attach/", {"school": school.pk}, format="json")
    preview = client.post(
        base + "preview/",
        {"children": 2, "product": product["id"], "quantity": 3, "package": package.json()["id"]},
        format="json",
    )
    copy = client.post(base + "duplicate/", {"name": "2028"}, format="json")

    assert (product["print_size"], product["requires_photo"]) == ("10x15", True)
    assert bad.status_code == 400 and "print_size" in bad.json()
    assert priced.json()["items"] == [{"product": product["id"], "price": "2.50"}]
    assert too_precise.status_code == 400
    assert package.status_code == 201
    assert attached.json()["attachments"][0]["school"] == school.pk
    assert preview.json()["total"] == "45.00", preview.json()  # 2 × (3 × 2.50 + 15.00)
    assert copy.status_code == 201 and copy.json()["name"] == "2028"
    assert copy.json()["attachments"] == []
    with schema_context(alpha.schema):
        assert PriceSheet.objects.get(name="2028").packages.get().items.get().quantity == 5


def test_a_product_in_use_is_refused_with_the_reason_and_archived_instead(alpha):
    client = api_for(alpha, Role.OWNER)
    with schema_context(alpha.schema):
        product = product_create(kind="digital", name="File")
        sheet = price_sheet_create(name="Standard")
        price_sheet_item_set(sheet=sheet, product=product, price="5")
    url = f"/api/catalogue/products/{product.pk}/"

    refused = client.delete(url)
    archived = client.patch(url, {"active": False, "kind": "album"}, format="json")

    assert refused.status_code == 409
    assert "It has a price on: Standard." in refused.json()["detail"]
    assert (archived.json()["active"], archived.json()["kind"]) == (False, "digital")
    with schema_context(alpha.schema):
        assert Product.objects.filter(pk=product.pk).exists()


def test_coupons_are_created_in_capitals_and_keep_their_code(alpha):
    client = api_for(alpha, Role.OWNER)

    created = client.post(
        "/api/catalogue/coupons/",
        {"code": "autumn10", "kind": "percent", "value": "10", "max_uses": 5},
        format="json",
    )
    coupon_id = created.json()["id"]
    changed = client.patch(
        f"/api/catalogue/coupons/{coupon_id}/", {"code": "OTHER", "active": False}, format="json"
    )
    duplicate = client.post(
        "/api/catalogue/coupons/", {"code": "AUTUMN10", "kind": "fixed", "value": "5"}
    )

    assert created.json()["code"] == "AUTUMN10"
    assert (changed.json()["code"], changed.json()["active"]) == ("AUTUMN10", False)
    assert duplicate.status_code == 400
    with schema_context(alpha.schema):
        assert Coupon.objects.count() == 1


def test_another_studios_ids_are_not_found(alpha, beta):
    with schema_context(beta.schema):
        push_id_sequences([Product, PriceSheet, Package])
        product = product_create(kind="digital", name="File")
        sheet = price_sheet_create(name="Beta")
    client = api_for(alpha, Role.OWNER)

    assert client.get(f"/api/catalogue/products/{product.pk}/").status_code == 404
    assert client.delete(f"/api/catalogue/products/{product.pk}/").status_code == 404
    assert (
        client.post(f"/api/catalogue/price-sheets/{sheet.pk}/duplicate/", {"name": "X"}).status_code
        == 404
    )
    with schema_context(beta.schema):
        assert PriceSheet.objects.count() == 1 and Product.objects.count() == 1
