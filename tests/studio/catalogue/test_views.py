"""The catalogue editor's pages: who may open them, and each form end to end."""

from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.catalogue.kinds import PackageKind
from studio.catalogue.models import (
    Coupon,
    EarlyBird,
    FreeItem,
    Package,
    PackageItem,
    PriceSheet,
    PriceSheetAttachment,
    PriceSheetItem,
    Product,
    ProductOption,
    QuantityTier,
    SiblingDiscount,
)
from studio.catalogue.services.discounts import (
    early_bird_create,
    free_item_create,
    quantity_tier_create,
)
from studio.catalogue.services.packages import package_create
from studio.catalogue.services.price_sheets import (
    price_sheet_attach,
    price_sheet_create,
    price_sheet_item_set,
)
from studio.catalogue.services.products import product_create, product_option_create
from studio.schools.models import School
from studio.shoots.services import shoot_create
from tests.conftest import host_client, logged_in_client, push_id_sequences

D = Decimal


def make_user(role: str) -> User:
    return User.objects.create_user(email=f"{role}-cat@alpha.test", password="pw-1", role=role)


def make_catalogue():
    """A print with a glossy option and a price sheet with its price, a package, a tier, an
    early-bird and a coupon."""
    product = product_create(kind="print", name="Print 10x15", print_size="10x15")
    option = product_option_create(product=product, name="Glossy", price_delta="0.50")
    sheet = price_sheet_create(name="Standard")
    price_sheet_item_set(sheet=sheet, product=product, price="2")
    package = package_create(sheet=sheet, name="All photos", kind="all_digital", price="20")
    tier = quantity_tier_create(sheet=sheet, min_quantity=5, percent_off="10", product=product)
    bird = early_bird_create(sheet=sheet, until=timezone.now(), percent_off="5")
    coupon = Coupon.objects.create(code="AUTUMN", kind="percent", value="10")
    free = free_item_create(sheet=sheet, product_kind="digital")
    return {
        "free_item": free.pk,
        "product": product.pk,
        "option": option.pk,
        "sheet": sheet.pk,
        "package": package.pk,
        "tier": tier.pk,
        "early_bird": bird.pk,
        "coupon": coupon.pk,
    }


# --- who may open what ---------------------------------------------------------------------

GET_PAGES = [
    "/staff/catalogue/",
    "/staff/catalogue/products/new/",
    "/staff/catalogue/products/{product}/",
    "/staff/catalogue/products/{product}/delete/",
    "/staff/catalogue/sheets/new/",
    "/staff/catalogue/sheets/{sheet}/",
    "/staff/catalogue/sheets/{sheet}/packages/{package}/",
]
POST_PAGES = [
    "/staff/catalogue/products/{product}/archive/",
    "/staff/catalogue/products/{product}/options/new/",
    "/staff/catalogue/products/{product}/options/{option}/",
    "/staff/catalogue/sheets/{sheet}/name/",
    "/staff/catalogue/sheets/{sheet}/prices/",
    "/staff/catalogue/sheets/{sheet}/duplicate/",
    "/staff/catalogue/sheets/{sheet}/attach/",
    "/staff/catalogue/sheets/{sheet}/packages/new/",
    "/staff/catalogue/sheets/{sheet}/tiers/new/",
    "/staff/catalogue/sheets/{sheet}/tiers/{tier}/delete/",
    "/staff/catalogue/sheets/{sheet}/early-birds/new/",
    "/staff/catalogue/sheets/{sheet}/early-birds/{early_bird}/delete/",
    "/staff/catalogue/sheets/{sheet}/free-items/new/",
    "/staff/catalogue/sheets/{sheet}/free-items/{free_item}/delete/",
    "/staff/catalogue/sheets/{sheet}/sibling/",
    "/staff/catalogue/sheets/{sheet}/coupons/new/",
    "/staff/catalogue/sheets/{sheet}/coupons/{coupon}/toggle/",
]
ALLOWED = [Role.OWNER, Role.MANAGER]
REFUSED = [Role.PHOTOGRAPHER, Role.RETOUCHER, Role.PRINCIPAL, Role.PARENT]


@pytest.mark.parametrize("page", GET_PAGES)
@pytest.mark.parametrize("role", ALLOWED)
def test_owners_and_managers_open_every_page(alpha, page, role):
    with schema_context(alpha.schema):
        ids, user = make_catalogue(), make_user(role)

    response = logged_in_client(alpha, user).get(page.format(**ids))

    assert response.status_code == 200


@pytest.mark.parametrize("page", GET_PAGES + POST_PAGES)
@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_are_refused_everywhere_and_nothing_changes(alpha, page, role):
    with schema_context(alpha.schema):
        ids, user = make_catalogue(), make_user(role)
    client = logged_in_client(alpha, user)

    response = (client.post if page in POST_PAGES else client.get)(page.format(**ids))

    assert response.status_code == 403
    with schema_context(alpha.schema):
        assert PriceSheet.objects.count() == 1
        assert Product.objects.get().active
        assert Coupon.objects.get().active
        assert QuantityTier.objects.count() == EarlyBird.objects.count() == 1
        assert FreeItem.objects.count() == 1


@pytest.mark.parametrize("page", GET_PAGES + POST_PAGES)
def test_another_studios_ids_are_not_found(alpha, beta, page):
    with schema_context(beta.schema):
        push_id_sequences(
            [Product, ProductOption, PriceSheet, Package, QuantityTier, EarlyBird, Coupon, FreeItem]
        )
        ids = make_catalogue()
    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
    client = logged_in_client(alpha, owner)

    url = page.format(**ids)
    response = client.post(url) if page in POST_PAGES else client.get(url)

    expected = 200 if url.endswith(("/catalogue/", "/new/")) and "{" not in page else 404
    if url in ("/staff/catalogue/products/new/", "/staff/catalogue/sheets/new/"):
        expected = 200
    assert response.status_code == expected
    with schema_context(beta.schema):
        assert PriceSheet.objects.count() == 1 and Coupon.objects.get().active


@pytest.mark.parametrize("page", GET_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(alpha, page):
    with schema_context(alpha.schema):
        ids = make_catalogue()
    url = page.format(**ids)

    response = host_client(alpha.host).get(url)

    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={url}")


def test_the_nav_shows_the_catalogue_to_owners_and_managers_only(alpha):
    with schema_context(alpha.schema):
        manager, photographer = make_user(Role.MANAGER), make_user(Role.PHOTOGRAPHER)

    manager_page = logged_in_client(alpha, manager).get("/staff/").content.decode()
    photographer_page = logged_in_client(alpha, photographer).get("/staff/").content.decode()

    assert 'href="/staff/catalogue/"' in manager_page
    assert 'href="/staff/catalogue/"' not in photographer_page


# --- products ------------------------------------------------------------------------------


@pytest.fixture
def owner_client(alpha):
    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
    return logged_in_client(alpha, owner)


def test_a_print_is_created_with_its_size_and_an_option(alpha, owner_client):
    response = owner_client.post(
        "/staff/catalogue/products/new/",
        {"kind": "print", "name": "Print 13×18", "print_size": "13×18"},
    )
    with schema_context(alpha.schema):
        product = Product.objects.get()
    assert response["Location"] == f"/staff/catalogue/products/{product.pk}/"
    assert (product.kind, product.print_size, product.requires_photo) == ("print", "13x18", True)

    owner_client.post(
        f"/staff/catalogue/products/{product.pk}/options/new/",
        {"new-name": "Matte", "new-price_delta": "0.75"},
    )
    with schema_context(alpha.schema):
        option = ProductOption.objects.get()
    assert (option.name, option.price_delta) == ("Matte", D("0.75"))

    owner_client.post(
        f"/staff/catalogue/products/{product.pk}/options/{option.pk}/",
        {f"option-{option.pk}-name": "Matte paper", f"option-{option.pk}-price_delta": "1"},
    )
    with schema_context(alpha.schema):
        option.refresh_from_db()
    assert (option.name, option.price_delta, option.active) == ("Matte paper", D("1.00"), False)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"kind": "print", "name": "Print"}, "Give the print size in centimetres, e.g. 10x15."),
        ({"kind": "digital", "name": "File", "print_size": "10x15"}, "Only prints have a size."),
        ({"kind": "album", "name": " "}, "This field is required."),
    ],
)
def test_a_product_that_does_not_make_sense_is_refused_on_its_field(
    alpha, owner_client, data, error
):
    response = owner_client.post("/staff/catalogue/products/new/", data)

    assert response.status_code == 200
    assert error in response.content.decode()
    with schema_context(alpha.schema):
        assert not Product.objects.exists()


def test_the_kind_of_a_product_never_changes(alpha, owner_client):
    with schema_context(alpha.schema):
        product = product_create(kind="digital", name="File")

    owner_client.post(
        f"/staff/catalogue/products/{product.pk}/", {"kind": "album", "name": "Digital file"}
    )

    with schema_context(alpha.schema):
        product.refresh_from_db()
    assert (product.kind, product.name) == ("digital", "Digital file")


def test_a_product_in_use_is_not_deleted_but_says_why_and_can_be_archived(alpha, owner_client):
    with schema_context(alpha.schema):
        ids = make_catalogue()
    url = f"/staff/catalogue/products/{ids['product']}/"

    asked = owner_client.get(url + "delete/").content.decode()
    refused = owner_client.post(url + "delete/")
    archived = owner_client.post(url + "archive/", {"archive": "1"})

    assert "It has a price on: Standard." in asked
    assert refused.status_code == 409
    assert "Archive it instead" in refused.content.decode()
    assert archived["Location"] == url
    with schema_context(alpha.schema):
        assert Product.objects.get().active is False
    owner_client.post(url + "archive/", {"archive": "0"})
    with schema_context(alpha.schema):
        assert Product.objects.get().active is True


def test_a_product_already_sold_is_not_deleted(alpha, owner_client):
    from studio.orders.models import OrderLine
    from studio.orders.services import LineInput, order_create

    with schema_context(alpha.schema):
        product = product_create(kind="digital", name="File")
        order_create(
            lines=[
                LineInput(
                    description="File",
                    kind="digital",
                    quantity=1,
                    unit_price=D("5"),
                    gross=D("5"),
                    net=D("5"),
                    product_id=product.pk,
                )
            ],
            currency="EUR",
            email="mum@example.com",
            payment_method="cash",
            idempotency_key="sold-once",
        )

    response = owner_client.post(f"/staff/catalogue/products/{product.pk}/delete/")

    assert response.status_code == 409
    assert "It has already been sold" in response.content.decode()
    with schema_context(alpha.schema):
        assert OrderLine.objects.get().product_id == product.pk


def test_a_product_nothing_uses_is_deleted(alpha, owner_client):
    with schema_context(alpha.schema):
        product = product_create(kind="album", name="Book")

    response = owner_client.post(f"/staff/catalogue/products/{product.pk}/delete/")

    assert response["Location"] == "/staff/catalogue/"
    with schema_context(alpha.schema):
        assert not Product.objects.exists()


# --- price sheets --------------------------------------------------------------------------


def test_a_sheet_is_created_priced_and_attached_to_a_school_and_a_picture_day(alpha, owner_client):
    with schema_context(alpha.schema):
        digital = product_create(kind="digital", name="File")
        small = product_create(kind="print", name="Print", print_size="10x15")
        school = School.objects.create(name="Oak Primary")
        shoot = shoot_create(school=school, name="Spring", date="2027-03-01")

    response = owner_client.post("/staff/catalogue/sheets/new/", {"name": "2027"})
    with schema_context(alpha.schema):
        sheet = PriceSheet.objects.get()
    assert response["Location"] == f"/staff/catalogue/sheets/{sheet.pk}/"
    base = response["Location"]

    owner_client.post(
        base + "prices/", {f"prices-price_{digital.pk}": "5", f"prices-price_{small.pk}": "2.50"}
    )
    owner_client.post(base + "attach/", {"school": school.pk})
    owner_client.post(base + "attach/", {"shoot": shoot.pk})

    with schema_context(alpha.schema):
        assert {(i.product_id, i.price) for i in PriceSheetItem.objects.all()} == {
            (digital.pk, D("5.00")),
            (small.pk, D("2.50")),
        }
        assert {(a.school_id, a.shoot_id) for a in PriceSheetAttachment.objects.all()} == {
            (school.pk, None),
            (None, shoot.pk),
        }
    # an emptied price takes the product off the sheet
    owner_client.post(
        base + "prices/", {f"prices-price_{digital.pk}": "", f"prices-price_{small.pk}": "2.5"}
    )
    with schema_context(alpha.schema):
        assert list(PriceSheetItem.objects.values_list("product_id", flat=True)) == [small.pk]


def test_a_price_too_precise_for_the_currency_is_refused_on_its_field(alpha, owner_client):
    with schema_context(alpha.schema):
        product = product_create(kind="digital", name="File")
        sheet = price_sheet_create(name="Standard")
        sheet.currency = "JPY"
        sheet.save()

    response = owner_client.post(
        f"/staff/catalogue/sheets/{sheet.pk}/prices/", {f"prices-price_{product.pk}": "10.5"}
    )

    assert response.status_code == 200
    assert "JPY amounts are whole numbers." in response.content.decode()
    with schema_context(alpha.schema):
        assert not PriceSheetItem.objects.exists()


def test_attaching_needs_exactly_one_target_and_detaching_removes_it(alpha, owner_client):
    with schema_context(alpha.schema):
        sheet = price_sheet_create(name="Standard")
        school = School.objects.create(name="Oak Primary")
    base = f"/staff/catalogue/sheets/{sheet.pk}/"

    refused = owner_client.post(base + "attach/", {})
    owner_client.post(base + "attach/", {"school": school.pk})
    with schema_context(alpha.schema):
        attachment = PriceSheetAttachment.objects.get()
    owner_client.post(base + f"detach/{attachment.pk}/")

    assert "Choose a school or a picture day." in refused.content.decode()
    with schema_context(alpha.schema):
        assert not PriceSheetAttachment.objects.exists()


def test_a_sheet_is_duplicated_for_a_new_season(alpha, owner_client):
    with schema_context(alpha.schema):
        ids = make_catalogue()

    response = owner_client.post(
        f"/staff/catalogue/sheets/{ids['sheet']}/duplicate/", {"name": "2028"}
    )

    with schema_context(alpha.schema):
        copy = PriceSheet.objects.get(name="2028")
        assert copy.items.get().price == D("2.00")
        assert copy.packages.get().name == "All photos"
    assert response["Location"] == f"/staff/catalogue/sheets/{copy.pk}/"


def test_packages_bundles_and_discounts_are_added_from_the_sheet_page(alpha, owner_client):
    with schema_context(alpha.schema):
        small = product_create(kind="print", name="Print", print_size="10x15")
        sheet = price_sheet_create(name="Standard")
    base = f"/staff/catalogue/sheets/{sheet.pk}/"

    owner_client.post(
        base + "packages/new/",
        {
            "package-name": "Class photo + 5 prints",
            "package-kind": PackageKind.BUNDLE,
            "package-price": "15",
            "package-active": "on",
            "package-item_product_1": small.pk,
            "package-item_quantity_1": "1",
            "package-item_class_photo_1": "on",
            "package-item_product_2": small.pk,
            "package-item_quantity_2": "5",
        },
    )
    empty_bundle = owner_client.post(
        base + "packages/new/",
        {"package-name": "Empty", "package-kind": "bundle", "package-price": "1"},
    )
    owner_client.post(
        base + "tiers/new/",
        {"tier-target": "kind:print", "tier-min_quantity": "5", "tier-percent_off": "10"},
    )
    owner_client.post(
        base + "early-birds/new/", {"early-until": "2027-03-01T18:00", "early-percent_off": "15"}
    )
    owner_client.post(base + "sibling/", {"sibling-percent_off": "10"})
    owner_client.post(
        base + "free-items/new/", {"free-target": "kind:digital", "free-quantity_per_child": "1"}
    )
    owner_client.post(
        base + "coupons/new/",
        {"coupon-code": "autumn10", "coupon-kind": "percent", "coupon-value": "10",
         "coupon-max_uses": "100", "coupon-valid_until": "2027-04-01T00:00"},
    )  # fmt: skip

    assert "A bundle needs at least one item." in empty_bundle.content.decode()
    with schema_context(alpha.schema):
        package = Package.objects.get()
        assert (package.name, package.kind, package.price) == (
            "Class photo + 5 prints",
            "bundle",
            D("15.00"),
        )
        assert sorted(PackageItem.objects.values_list("quantity", "class_photo")) == [
            (1, True),
            (5, False),
        ]
        tier = QuantityTier.objects.get()
        assert (tier.product_kind, tier.min_quantity, tier.percent_off) == ("print", 5, 10)
        assert EarlyBird.objects.get().percent_off == 15
        assert SiblingDiscount.objects.get(sheet=sheet).percent_off == 10
        free = FreeItem.objects.get()
        assert (free.product_kind, free.quantity_per_child) == ("digital", 1)
        coupon = Coupon.objects.get()
        assert (coupon.code, coupon.max_uses, coupon.valid_until.month) == ("AUTUMN10", 100, 4)

    owner_client.post(base + f"tiers/{tier.pk}/delete/")
    owner_client.post(base + f"free-items/{free.pk}/delete/")
    owner_client.post(base + "sibling/", {"sibling-percent_off": ""})
    owner_client.post(base + f"coupons/{coupon.pk}/toggle/")
    with schema_context(alpha.schema):
        assert not QuantityTier.objects.exists() and not FreeItem.objects.exists()
        assert not SiblingDiscount.objects.exists()
        assert Coupon.objects.get().active is False


def test_a_package_is_edited_and_taken_off_sale(alpha, owner_client):
    with schema_context(alpha.schema):
        sheet = price_sheet_create(name="Standard")
        package = package_create(sheet=sheet, name="All photos", kind="all_digital", price="20")
    url = f"/staff/catalogue/sheets/{sheet.pk}/packages/{package.pk}/"

    response = owner_client.post(url, {"name": "Every photo", "price": "22", "kind": "bundle"})

    assert response["Location"] == f"/staff/catalogue/sheets/{sheet.pk}/"
    with schema_context(alpha.schema):
        package.refresh_from_db()
    assert (package.name, package.price, package.kind, package.active) == (
        "Every photo",
        D("22.00"),
        "all_digital",
        False,
    )


def test_the_preview_prices_a_family_with_the_sheets_rules(alpha, owner_client):
    with schema_context(alpha.schema):
        small = product_create(kind="print", name="Print", print_size="10x15")
        sheet = price_sheet_create(name="Standard")
        price_sheet_item_set(sheet=sheet, product=small, price="2")
        quantity_tier_create(sheet=sheet, min_quantity=5, percent_off="10", product_kind="print")
        package = package_create(sheet=sheet, name="All photos", kind="all_digital", price="20")
        school = School.objects.create(name="Oak Primary")
        price_sheet_attach(sheet=sheet, school=school)
    url = f"/staff/catalogue/sheets/{sheet.pk}/"

    default = owner_client.get(url)
    chosen = owner_client.get(
        url, {"children": "1", "product": small.pk, "quantity": "2", "package": package.pk}
    )

    # 2 children × 3 prints at 2.00, 6 prints reach the 10 % tier: 12.00 − 1.20
    assert default.context["priced"].total == D("10.80")
    assert "A family with 2 children pays €10.80." in default.content.decode()
    assert chosen.context["priced"].total == D("24.00")
    assert "A family with 1 child pays €24.00." in chosen.content.decode()
