"""The rest of the catalogue editor over the API: product options, quantity tiers,
early-birds, free items, the sibling discount, detaching a sheet and setting every price at
once. The same services and rules as the editor, the same audit entries, only for owners and
managers, and only within the studio."""

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from saas_platform.accounts.models import Role, User
from studio.audit.models import AuditEntry, AuditKind
from studio.catalogue.models import (
    EarlyBird,
    FreeItem,
    PriceSheet,
    PriceSheetAttachment,
    Product,
    ProductOption,
    QuantityTier,
    SiblingDiscount,
)
from studio.catalogue.services import discounts, price_sheets, products
from studio.schools.models import School
from tests.conftest import push_id_sequences

D = Decimal
API = "/api/catalogue/"


def api_for(studio, role):
    with schema_context(studio.schema):
        user = User.objects.create_user(email=f"{role}-rules@x.test", password="pw-1", role=role)
    client = APIClient(HTTP_HOST=studio.host)
    with schema_context(studio.schema):
        client.force_login(user)
    return client


@pytest.fixture
def stock(alpha):
    """A print and an archived album in alpha, and a sheet pricing the print."""
    with schema_context(alpha.schema):
        printed = products.product_create(kind="print", name="Print", print_size="10x15")
        archived = products.product_create(kind="album", name="Old book", active=False)
        sheet = price_sheets.price_sheet_create(name="2027")
        price_sheets.price_sheet_item_set(sheet=sheet, product=printed, price="2.50")
        AuditEntry.objects.all().delete()
    return {"print": printed, "archived": archived, "sheet": sheet}


def audit(alpha) -> list[tuple]:
    with schema_context(alpha.schema):
        return list(AuditEntry.objects.order_by("id").values_list("actor_email", "kind"))


def test_the_new_endpoints_are_in_the_openapi_schema(alpha):
    schema = APIClient(HTTP_HOST=alpha.host).get("/api/schema/?format=json").json()

    assert {
        API + "product-options/",
        API + "product-options/{id}/",
        API + "quantity-tiers/",
        API + "quantity-tiers/{id}/",
        API + "early-birds/",
        API + "early-birds/{id}/",
        API + "free-items/",
        API + "free-items/{id}/",
        API + "price-sheets/{id}/detach/",
        API + "price-sheets/{id}/set-prices/",
        API + "price-sheets/{id}/sibling-discount/",
    } <= set(schema["paths"])
    assert {"get", "put"} <= set(schema["paths"][API + "price-sheets/{id}/sibling-discount/"])
    assert "delete" in schema["paths"][API + "quantity-tiers/{id}/"]


def test_a_manager_adds_and_changes_product_options(alpha, stock):
    client = api_for(alpha, Role.MANAGER)
    printed = stock["print"]

    glossy = client.post(
        API + "product-options/",
        {"product": printed.pk, "name": "Glossy", "price_delta": "0.50"},
        format="json",
    )
    clash = client.post(
        API + "product-options/", {"product": printed.pk, "name": "GLOSSY"}, format="json"
    )
    too_precise = client.post(
        API + "product-options/",
        {"product": printed.pk, "name": "Matte", "price_delta": "0.505"},
        format="json",
    )
    option_url = f"{API}product-options/{glossy.json()['id']}/"
    changed = client.patch(
        option_url,
        {"price_delta": "0.75", "active": False, "product": stock["archived"].pk},
        format="json",
    )
    listed = client.get(API + "product-options/", {"product": printed.pk})

    assert glossy.status_code == 201, glossy.json()
    assert glossy.json() == {
        "id": glossy.json()["id"],
        "product": printed.pk,
        "name": "Glossy",
        "price_delta": "0.50",
        "active": True,
    }
    assert clash.status_code == 400 and "name" in clash.json()
    assert too_precise.status_code == 400 and "price_delta" in too_precise.json()
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["price_delta"], changed.json()["active"]) == ("0.75", False)
    assert changed.json()["product"] == printed.pk  # an option never moves
    assert [o["name"] for o in listed.json()["results"]] == ["Glossy"]
    assert audit(alpha) == [
        ("manager-rules@x.test", AuditKind.PRODUCT_OPTION_ADDED),
        ("manager-rules@x.test", AuditKind.PRODUCT_OPTION_CHANGED),
    ]


def test_the_owner_adds_and_removes_a_sheets_discounts(alpha, stock):
    client = api_for(alpha, Role.OWNER)
    sheet, printed = stock["sheet"], stock["print"]

    tier = client.post(
        API + "quantity-tiers/",
        {"sheet": sheet.pk, "product": printed.pk, "min_quantity": 3, "percent_off": "10"},
        format="json",
    )
    same_again = client.post(
        API + "quantity-tiers/",
        {"sheet": sheet.pk, "product": printed.pk, "min_quantity": 3, "percent_off": "20"},
        format="json",
    )
    both = client.post(
        API + "quantity-tiers/",
        {"sheet": sheet.pk, "product": printed.pk, "product_kind": "print", "min_quantity": 5,
         "percent_off": "10"},
        format="json",
    )  # fmt: skip
    archived = client.post(
        API + "quantity-tiers/",
        {"sheet": sheet.pk, "product": stock["archived"].pk, "min_quantity": 2,
         "percent_off": "5"},
        format="json",
    )  # fmt: skip
    over_100 = client.post(
        API + "quantity-tiers/",
        {"sheet": sheet.pk, "product_kind": "print", "min_quantity": 2, "percent_off": "150"},
        format="json",
    )
    early = client.post(
        API + "early-birds/",
        {"sheet": sheet.pk, "until": "2027-03-01T09:00:00+00:00", "percent_off": "15"},
        format="json",
    )
    free = client.post(
        API + "free-items/",
        {"sheet": sheet.pk, "product_kind": "digital", "quantity_per_child": 1},
        format="json",
    )
    listed = client.get(API + "quantity-tiers/", {"sheet": sheet.pk})

    assert tier.status_code == 201, tier.json()
    assert tier.json()["product_kind"] == "" and tier.json()["percent_off"] == "10.00"
    assert same_again.status_code == 400 and "min_quantity" in same_again.json()
    assert both.status_code == 400 and "product" in both.json()
    assert archived.status_code == 400 and "product" in archived.json()
    assert over_100.status_code == 400 and "percent_off" in over_100.json()
    assert early.status_code == 201 and early.json()["percent_off"] == "15.00"
    assert free.status_code == 201 and free.json()["product"] is None
    assert [t["min_quantity"] for t in listed.json()["results"]] == [3]

    removed = [
        client.delete(f"{API}quantity-tiers/{tier.json()['id']}/"),
        client.delete(f"{API}early-birds/{early.json()['id']}/"),
        client.delete(f"{API}free-items/{free.json()['id']}/"),
    ]

    assert [r.status_code for r in removed] == [204, 204, 204]
    with schema_context(alpha.schema):
        assert not (
            QuantityTier.objects.exists() or EarlyBird.objects.exists() or FreeItem.objects.exists()
        )
    owner = "owner-rules@x.test"
    assert (
        audit(alpha)
        == [(owner, AuditKind.DISCOUNT_ADDED)] * 3 + [(owner, AuditKind.DISCOUNT_REMOVED)] * 3
    )


def test_the_sibling_discount_is_read_set_and_removed(alpha, stock):
    client = api_for(alpha, Role.MANAGER)
    url = f"{API}price-sheets/{stock['sheet'].pk}/sibling-discount/"

    none_yet = client.get(url)
    set_ = client.put(url, {"percent_off": "10"}, format="json")
    same = client.put(url, {"percent_off": "10.00"}, format="json")
    sheet = client.get(f"{API}price-sheets/{stock['sheet'].pk}/")
    refused = client.put(url, {"percent_off": "101"}, format="json")
    removed = client.put(url, {"percent_off": None}, format="json")

    assert none_yet.json() == {"percent_off": None}
    assert set_.json() == same.json() == {"percent_off": "10.00"}
    assert sheet.json()["sibling_percent_off"] == "10.00"
    assert refused.status_code == 400 and "percent_off" in refused.json()
    assert removed.json() == {"percent_off": None}
    with schema_context(alpha.schema):
        assert not SiblingDiscount.objects.exists()
    assert [kind for _who, kind in audit(alpha)] == [AuditKind.SIBLING_DISCOUNT_CHANGED] * 2


def test_all_prices_at_once_or_none_and_detaching(alpha, stock):
    client = api_for(alpha, Role.OWNER)
    sheet, printed = stock["sheet"], stock["print"]
    with schema_context(alpha.schema):
        digital = products.product_create(kind="digital", name="File")
        school = School.objects.create(name="Oak Primary")
        other_school = School.objects.create(name="Elm Primary")
        price_sheets.price_sheet_attach(sheet=sheet, school=school)
        AuditEntry.objects.all().delete()
    base = f"{API}price-sheets/{sheet.pk}/"

    refused = client.post(
        base + "set-prices/",
        {"prices": [{"product": digital.pk, "price": "5"}, {"product": printed.pk,
                                                              "price": "-1"}]},
        format="json",
    )  # fmt: skip
    priced = client.post(
        base + "set-prices/",
        {"prices": [{"product": digital.pk, "price": "5"}, {"product": printed.pk,
                                                              "price": None}]},
        format="json",
    )  # fmt: skip
    not_here = client.post(base + "detach/", {"school": other_school.pk}, format="json")
    neither = client.post(base + "detach/", {}, format="json")
    detached = client.post(base + "detach/", {"school": school.pk}, format="json")

    assert refused.status_code == 400 and f"price_{printed.pk}" in refused.json()
    assert priced.status_code == 200
    assert priced.json()["items"] == [{"product": digital.pk, "price": "5.00"}]
    assert not_here.status_code == 404
    assert neither.status_code == 400
    assert detached.status_code == 200 and detached.json()["attachments"] == []
    with schema_context(alpha.schema):
        assert not PriceSheetAttachment.objects.exists()
    assert [kind for _who, kind in audit(alpha)] == [
        AuditKind.PRICES_CHANGED,
        AuditKind.PRICE_SHEET_DETACHED,
    ]


ENDPOINTS = [
    ("get", API + "product-options/", None),
    ("post", API + "product-options/", {"product": 1, "name": "Glossy"}),
    ("get", API + "quantity-tiers/", None),
    ("post", API + "quantity-tiers/", {"sheet": 1, "product_kind": "print", "min_quantity": 2,
                                       "percent_off": "5"}),
    ("get", API + "early-birds/", None),
    ("get", API + "free-items/", None),
    ("get", API + "price-sheets/1/sibling-discount/", None),
    ("put", API + "price-sheets/1/sibling-discount/", {"percent_off": "5"}),
    ("post", API + "price-sheets/1/set-prices/", {"prices": []}),
    ("post", API + "price-sheets/1/detach/", {"school": 1}),
]  # fmt: skip


@pytest.mark.parametrize("role", [Role.PHOTOGRAPHER, Role.RETOUCHER, Role.PRINCIPAL, Role.PARENT])
def test_other_roles_are_refused_everywhere(alpha, role):
    client = api_for(alpha, role)

    codes = [getattr(client, m)(url, data, format="json").status_code for m, url, data in ENDPOINTS]

    assert codes == [403] * len(ENDPOINTS)
    assert audit(alpha) == []


def test_another_studios_ids_are_not_found(alpha, beta):
    with schema_context(beta.schema):
        push_id_sequences([Product, ProductOption, PriceSheet, QuantityTier, EarlyBird, FreeItem])
        printed = products.product_create(kind="print", name="Print", print_size="10x15")
        option = products.product_option_create(product=printed, name="Glossy")
        sheet = price_sheets.price_sheet_create(name="Beta")
        tier = discounts.quantity_tier_create(
            sheet=sheet, min_quantity=2, percent_off="5", product_kind="print"
        )
        early = discounts.early_bird_create(
            sheet=sheet, until=sheet.created_at.replace(year=2030), percent_off="5"
        )
        free = discounts.free_item_create(sheet=sheet, product_kind="digital")
    client = api_for(alpha, Role.OWNER)

    codes = [
        client.get(f"{API}product-options/{option.pk}/").status_code,
        client.patch(f"{API}product-options/{option.pk}/", {"name": "X"}).status_code,
        client.delete(f"{API}quantity-tiers/{tier.pk}/").status_code,
        client.delete(f"{API}early-birds/{early.pk}/").status_code,
        client.delete(f"{API}free-items/{free.pk}/").status_code,
        client.get(f"{API}price-sheets/{sheet.pk}/sibling-discount/").status_code,
        client.put(
            f"{API}price-sheets/{sheet.pk}/sibling-discount/", {"percent_off": "5"}
        ).status_code,
        client.post(f"{API}price-sheets/{sheet.pk}/set-prices/", {"prices": []}).status_code,
        client.post(f"{API}price-sheets/{sheet.pk}/detach/", {}).status_code,
    ]
    on_their_sheet = client.post(
        API + "quantity-tiers/",
        {"sheet": sheet.pk, "product_kind": "print", "min_quantity": 3, "percent_off": "5"},
        format="json",
    )
    with_their_product = client.post(
        API + "product-options/", {"product": printed.pk, "name": "Matte"}, format="json"
    )

    assert codes == [404] * len(codes)
    assert on_their_sheet.status_code == 400 and "sheet" in on_their_sheet.json()
    assert with_their_product.status_code == 400 and "product" in with_their_product.json()
    with schema_context(beta.schema):
        assert QuantityTier.objects.count() == EarlyBird.objects.count() == 1
        assert FreeItem.objects.count() == ProductOption.objects.count() == 1
        assert not SiblingDiscount.objects.exists()
