"""The parent's shop: cart, sign-in keeping the cart, checkout, the order page."""

from decimal import Decimal

from django.core import mail
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.catalogue.models import Coupon, PriceSheetItem
from studio.orders.models import Order
from studio.orders.services import payment_record_offline
from studio.storefront.models import Cart
from tests.conftest import host_client
from tests.studio.storefront.test_gallery import image_get, image_srcs, shown_ids

from .conftest import parent_with, sign_in


def add(client, photo, product, *, child=None, quantity=1, option=None):
    value = f"{product.pk}:{option.pk}" if option else str(product.pk)
    data = {"photo": photo.pk, "product": value, "quantity": quantity, "back": "/cart/"}
    if child:
        data["child"] = child
    return client.post("/cart/add/", data)


def anna_id(shop):
    return shop["photos"]["anna1"].students.get().pk


def test_photos_go_into_the_cart_with_discounts_shown_line_by_line(shop):
    client = parent_with(shop, shop["codes"]["Anna"])
    cat, photos, anna = shop["catalogue"], shop["photos"], anna_id(shop)

    assert add(client, photos["anna1"], cat.print10, child=anna, quantity=3).status_code == 302
    add(client, photos["anna2"], cat.print10, child=anna, quantity=2, option=cat.glossy)
    add(client, photos["group"], cat.digital, child=anna)
    page = client.get("/cart/").content.decode()

    # 5 prints reach the 10 % tier: 3 × 2.00 = 6.00 − 0.60; 2 × 2.50 = 5.00 − 0.50; 5.00
    assert "5+" in page or "10" in page
    assert "€14.90" in page  # 16.00 − 1.10
    assert "Glossy" in page and "Anna K" in page
    # each line's thumbnail: a signed link that loads without the session
    assert shown_ids(page) == {photos["anna1"].pk, photos["anna2"].pk, photos["group"].pk}
    assert {image_get(url)[0] for url in image_srcs(page)} == {"200 OK"}


def test_a_photo_of_another_child_cannot_be_added(shop):
    client = parent_with(shop, shop["codes"]["Anna"])
    cat, photos, anna = shop["catalogue"], shop["photos"], anna_id(shop)

    assert add(client, photos["boris"], cat.print10, child=anna).status_code == 404
    assert add(client, photos["boris"], cat.print10).status_code == 404
    boris = photos["boris"].students.get().pk
    assert add(client, photos["boris"], cat.print10, child=boris).status_code == 404
    with schema_context(shop["studio"].schema):
        assert not Cart.objects.filter(items__isnull=False).exists()


def test_select_all_adds_every_chosen_photo_once(shop):
    client = parent_with(shop, shop["codes"]["Anna"])
    cat, photos, anna = shop["catalogue"], shop["photos"], anna_id(shop)

    client.post(
        "/cart/add/",
        {
            "photo": [photos["anna1"].pk, photos["anna2"].pk],
            "product": cat.digital.pk,
            "child": anna,
            "quantity": 1,
        },
    )
    client.post(
        "/cart/add/",
        {"photo": [photos["anna1"].pk], "product": cat.digital.pk, "child": anna, "quantity": 1},
    )

    with schema_context(shop["studio"].schema):
        cart = Cart.objects.get()
        assert sorted((i.photo_id, i.quantity) for i in cart.items.all()) == sorted(
            [(photos["anna1"].pk, 2), (photos["anna2"].pk, 1)]
        )


def test_the_cart_survives_a_new_visit_and_the_sign_in(shop):
    client = parent_with(shop, shop["codes"]["Anna"])
    cat, photos, anna = shop["catalogue"], shop["photos"], anna_id(shop)
    add(client, photos["anna1"], cat.digital, child=anna)
    client.post(f"/gallery/{photos['anna2'].pk}/favourite/", {"back": "/gallery/"})

    sign_in(client, "mum@example.com")

    assert "Digital file" in client.get("/cart/").content.decode()
    # A new device: sign in again, the gallery, the cart and the favourite are all there.
    other = host_client(shop["studio"].host)
    sign_in(other, "mum@example.com")
    assert photos["anna1"].pk and "Digital file" in other.get("/cart/").content.decode()
    gallery = other.get("/gallery/?favourites=1").content.decode()
    assert shown_ids(gallery) == {photos["anna2"].pk}


def test_a_family_keeps_both_children_in_one_account_and_one_cart(shop):
    client = parent_with(shop, shop["codes"]["Anna"])
    sign_in(client, "family@example.com")
    client.post("/access/", {"code": shop["codes"]["Boris"]})
    cat, photos = shop["catalogue"], shop["photos"]
    add(client, photos["anna1"], cat.digital, child=anna_id(shop))
    add(client, photos["boris"], cat.digital, child=photos["boris"].students.get().pk)

    account = client.get("/account/").content.decode()
    assert "Anna K" in account and "Boris K" in account
    cart = client.get("/cart/").content.decode()
    assert cart.count('class="card cart-child"') == 2


def test_checkout_needs_a_signed_in_parent_and_makes_one_order(
    shop, run_tasks, django_capture_on_commit_callbacks
):
    client = parent_with(shop, shop["codes"]["Anna"])
    cat, photos, anna = shop["catalogue"], shop["photos"], anna_id(shop)
    add(client, photos["anna1"], cat.print10, child=anna, quantity=2)
    client.post(
        "/cart/add-package/",
        {"package": cat.all_digital.pk, "child": anna, "shoot": photos["anna1"].shoot_id},
    )
    assert client.get("/checkout/")["Location"].startswith("/account/sign-in/")

    sign_in(client, "mum@example.com", next_url="/checkout/")
    page = client.get("/checkout/")
    key = page.context["form"].initial["key"]
    data = {
        "key": key,
        "name": "Maria K",
        "phone": "",
        "delivery_method": "school",
        "payment_method": "bank_transfer",
    }
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/checkout/", data)
        again = client.post("/checkout/", data)  # the double click

    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    with schema_context(shop["studio"].schema):
        order = Order.objects.get()
        assert order.total == Decimal("24.00")  # 2 × 2.00 + 20.00
        assert order.delivery == {"method": "school", "name": "Maria K", "phone": ""}
        assert order.payment_method == "bank_transfer"
        assert order.parent.email == "mum@example.com"
        # what was sold, as keys: the print and the package, on the picture day it was bought
        assert {
            (line.product_id, line.package_id, line.shoot_id) for line in order.lines.all()
        } == {
            (cat.print10.pk, None, photos["anna1"].shoot_id),
            (None, cat.all_digital.pk, photos["anna1"].shoot_id),
        }
        assert Cart.objects.get().items.count() == 0
    assert first["Location"] == f"/account/orders/{order.number}/"
    confirmation = [m for m in mail.outbox if order.number in m.subject]
    assert len(confirmation) == 1
    assert "IBAN DE00 1234 5678" in confirmation[0].body
    assert f"Reference: {order.number}" in confirmation[0].body


def test_home_delivery_asks_for_an_address_and_prices_are_checked_again(shop):
    client = parent_with(shop, shop["codes"]["Anna"])
    cat, photos, anna = shop["catalogue"], shop["photos"], anna_id(shop)
    add(client, photos["anna1"], cat.print10, child=anna)
    sign_in(client, "dad@example.com")
    key = client.get("/checkout/").context["form"].initial["key"]
    data = {"key": key, "name": "Ivan", "delivery_method": "home", "payment_method": "cash"}

    page = client.post("/checkout/", data)
    assert page.status_code == 200
    assert "Enter the street" in page.content.decode()

    with schema_context(shop["studio"].schema):
        PriceSheetItem.objects.filter(product=cat.print10).update(price="3.00")
    data |= {"address": "Main St 1", "city": "Riga", "postcode": "LV-1001", "country": "LV"}
    client.post("/checkout/", data)
    with schema_context(shop["studio"].schema):
        order = Order.objects.get()
        assert order.total == Decimal("3.00")
        assert order.delivery["city"] == "Riga"


def test_a_coupon_is_counted_once_per_order(shop):
    from studio.catalogue.services.coupons import coupon_create

    with schema_context(shop["studio"].schema):
        coupon_create(code="AUTUMN", kind="percent", value="10", max_uses=1)
    client = parent_with(shop, shop["codes"]["Anna"])
    add(client, shop["photos"]["anna1"], shop["catalogue"].digital, child=anna_id(shop))
    client.post("/cart/update/", {"coupon": "autumn"})
    assert "The coupon is applied." in client.get("/cart/").content.decode()
    sign_in(client, "c@example.com")
    key = client.get("/checkout/").context["form"].initial["key"]
    client.post("/checkout/", {"key": key, "name": "C", "payment_method": "cash"})

    with schema_context(shop["studio"].schema):
        assert Order.objects.get().total == Decimal("4.50")
        assert Coupon.objects.get().uses == 1


def test_the_order_page_shows_the_balance_and_only_to_its_parent(shop):
    client = parent_with(shop, shop["codes"]["Anna"])
    add(client, shop["photos"]["anna1"], shop["catalogue"].print10, child=anna_id(shop), quantity=5)
    sign_in(client, "mum@example.com")
    key = client.get("/checkout/").context["form"].initial["key"]
    client.post(
        "/checkout/",
        {"key": key, "name": "M", "delivery_method": "school", "payment_method": "bank_transfer"},
    )
    with schema_context(shop["studio"].schema):
        order = Order.objects.get()
        staff = User.objects.get(email=shop["studio"].owner_email)
        payment_record_offline(
            order=order, amount=Decimal("4.00"), method="bank_transfer", actor=staff
        )

    page = client.get(f"/account/orders/{order.number}/").content.decode()
    assert "Partially paid" in page and "€5.00" in page  # 9.00 − 4.00 due
    assert "IBAN DE00 1234 5678" in page

    stranger = parent_with(shop, shop["codes"]["Boris"])
    sign_in(stranger, "stranger@example.com")
    assert stranger.get(f"/account/orders/{order.number}/").status_code == 404
    assert (
        host_client(shop["studio"].host).get(f"/account/orders/{order.number}/").status_code == 302
    )


def test_a_parent_can_hide_their_child_from_every_gallery(shop, django_capture_on_commit_callbacks):
    anna_parent = parent_with(shop, shop["codes"]["Anna"])
    boris_parent = parent_with(shop, shop["codes"]["Boris"])
    photos = shop["photos"]
    shoot_id = photos["anna1"].shoot_id
    links = image_srcs(anna_parent.get("/gallery/").content.decode())
    assert [image_get(url)[0] for url in links] == ["200 OK"] * 3  # Anna's two, the class's

    # another family cannot hide Anna
    refused = boris_parent.post("/gallery/hide-child/", {"child": anna_id(shop), "shoot": shoot_id})
    assert refused.status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        anna_parent.post("/gallery/hide-child/", {"child": anna_id(shop), "shoot": shoot_id})

    # the links handed out before are refused at once (the "withdrawn" version moved on)
    assert [image_get(url)[0] for url in links] == ["403 Forbidden"] * 3
    assert (
        anna_parent.get(f"/gallery/{photos['anna1'].pk}/?child={anna_id(shop)}").status_code == 404
    )
    with schema_context(shop["studio"].schema):
        photos["group"].students.add(anna_id(shop))
    assert boris_parent.get(f"/gallery/{photos['group'].pk}/").status_code == 404
    assert photos["group"].pk not in shown_ids(boris_parent.get("/gallery/").content.decode())


def test_the_same_cart_checked_out_in_parallel_makes_one_order(live_studios, committed):
    """Two tabs (or a double click reaching two workers) with the same checkout key."""
    import threading

    from django.db import connections

    from studio.catalogue.services.price_sheets import (
        price_sheet_attach,
        price_sheet_create,
        price_sheet_item_set,
    )
    from studio.catalogue.services.products import product_create
    from studio.schools.models import School, SchoolClass, Student
    from studio.shoots.services import shoot_create
    from studio.storefront.models import CartItem
    from studio.storefront.services import CheckoutDetails, checkout_place

    studio = live_studios["alpha"]
    with committed(), schema_context(studio.schema):
        school = School.objects.create(name="Race school")
        child = Student.objects.create(
            school_class=SchoolClass.objects.create(
                school=school, name="1R", school_year="2026-2027"
            ),
            first_name="R",
            last_name="C",
        )
        shoot = shoot_create(school=school, name="Race day", date="2026-10-02")
        sheet = price_sheet_create(name="Race sheet")
        price_sheet_attach(sheet=sheet, school=school)
        album = product_create(kind="album", name="Race album")
        price_sheet_item_set(sheet=sheet, product=album, price="30")
        parent = User.objects.create_user(email="race@example.com", role=Role.PARENT)
        cart = Cart.objects.create(parent=parent)
        CartItem.objects.create(cart=cart, shoot=shoot, child=child, product=album, quantity=1)
    details = CheckoutDetails(
        email="race@example.com",
        name="R",
        phone="",
        payment_method="cash",
        delivery_method="school",
    )
    barrier, results, errors = threading.Barrier(4), [], []

    def place():
        try:
            with schema_context(studio.schema):
                barrier.wait()
                results.append(
                    checkout_place(
                        cart=cart, parent=parent, details=details, key=str(cart.checkout_key)
                    ).pk
                )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    with committed():
        try:
            threads = [threading.Thread(target=place) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
            with schema_context(studio.schema):
                assert errors == []
                assert len(results) == 4 and len(set(results)) == 1
                assert Order.objects.filter(parent=parent).count() == 1
                assert Order.objects.get(parent=parent).total == Decimal("30.00")
        finally:
            with schema_context(studio.schema):
                Order.objects.filter(parent=parent).delete()
                Cart.objects.filter(parent=parent).delete()
                parent.delete()
                shoot.delete()
                school.delete()
                sheet.delete()
                album.delete()


def test_once_paid_the_order_page_offers_the_downloads_and_the_invoice(
    shop, run_tasks, django_capture_on_commit_callbacks
):
    client = parent_with(shop, shop["codes"]["Anna"])
    cat, photos, anna = shop["catalogue"], shop["photos"], anna_id(shop)
    client.post(
        "/cart/add-package/",
        {"package": cat.all_digital.pk, "child": anna, "shoot": photos["anna1"].shoot_id},
    )
    sign_in(client, "mum@example.com")
    key = client.get("/checkout/").context["form"].initial["key"]
    client.post("/checkout/", {"key": key, "name": "M", "payment_method": "bank_transfer"})
    with schema_context(shop["studio"].schema):
        order = Order.objects.get()
    unpaid = client.get(f"/account/orders/{order.number}/").content.decode()
    assert "Download all (ZIP)" not in unpaid

    mail.outbox.clear()
    with schema_context(shop["studio"].schema), django_capture_on_commit_callbacks(execute=True):
        staff = User.objects.get(email=shop["studio"].owner_email)
        payment_record_offline(
            order=order, amount=Decimal("20"), method="bank_transfer", actor=staff
        )

    page = client.get(f"/account/orders/{order.number}/")
    zip_url = page.context["downloads"].zip_url
    assert "Download all (ZIP)" in page.content.decode()
    assert client.get(zip_url).status_code == 200
    assert [m for m in mail.outbox if zip_url in m.body]  # the "ready to download" e-mail
    assert client.get(f"/downloads/{order.number}/invoice.pdf")["Content-Type"] == "application/pdf"


def test_the_added_message_counts_the_items_put_in_the_cart(shop):
    client = parent_with(shop, shop["codes"]["Anna"])
    cat, photos, anna = shop["catalogue"], shop["photos"], anna_id(shop)

    add(client, photos["anna1"], cat.print10, child=anna, quantity=2)
    assert "Added to your cart: Print 10×15 × 2." in client.get("/cart/").content.decode()
    client.post(
        "/cart/add/",
        {"photo": [photos["anna1"].pk, photos["anna2"].pk], "product": cat.digital.pk,
         "child": anna, "quantity": 1, "back": "/cart/"},
    )  # fmt: skip
    assert "Added to your cart: Digital file × 2." in client.get("/cart/").content.decode()


def test_the_print_status_shows_on_the_order_page_once_paid(shop):
    client = parent_with(shop, shop["codes"]["Anna"])
    add(client, shop["photos"]["anna1"], shop["catalogue"].print10, child=anna_id(shop))
    sign_in(client, "mum@example.com")
    key = client.get("/checkout/").context["form"].initial["key"]
    client.post(
        "/checkout/",
        {"key": key, "name": "M", "delivery_method": "school", "payment_method": "bank_transfer"},
    )
    with schema_context(shop["studio"].schema):
        order = Order.objects.get()
    assert (
        "fulfilment-accepted" not in client.get(f"/account/orders/{order.number}/").content.decode()
    )

    with schema_context(shop["studio"].schema):
        staff = User.objects.get(email=shop["studio"].owner_email)
        payment_record_offline(order=order, amount=order.total, method="bank_transfer", actor=staff)
    page = client.get(f"/account/orders/{order.number}/").content.decode()
    assert 'class="badge fulfilment-accepted">Accepted<' in page


def test_a_parent_ordering_in_russian_gets_the_order_e_mails_in_russian(
    shop, run_tasks, django_capture_on_commit_callbacks
):
    client = parent_with(shop, shop["codes"]["Anna"])
    cat, photos, anna = shop["catalogue"], shop["photos"], anna_id(shop)
    client.post(
        "/cart/add-package/",
        {"package": cat.all_digital.pk, "child": anna, "shoot": photos["anna1"].shoot_id},
    )
    sign_in(client, "mum@example.com")  # in English, the studio's language
    schema = shop["studio"].schema
    with schema_context(schema):
        assert User.objects.get(email="mum@example.com").language == "en"

    client.cookies["django_language"] = "ru"  # switched before paying
    key = client.get("/checkout/").context["form"].initial["key"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/checkout/", {"key": key, "name": "M", "payment_method": "bank_transfer"})
    with schema_context(schema):
        order = Order.objects.select_related("parent").get()
    assert order.parent.language == "ru"
    [confirmation] = mail.outbox
    assert confirmation.subject == f"Ваш заказ {order.number} в студии Alpha Photo"
    [(html, _type)] = confirmation.alternatives
    assert "Открыть заказ" in html and f"/account/orders/{order.number}/" in html

    mail.outbox.clear()
    with schema_context(schema), django_capture_on_commit_callbacks(execute=True):
        staff = User.objects.get(email=shop["studio"].owner_email)
        payment_record_offline(
            order=order, amount=Decimal("20"), method="bank_transfer", actor=staff
        )

    assert sorted(message.subject for message in mail.outbox) == [
        f"Ваши фотографии готовы к скачиванию (заказ {order.number}, Alpha Photo)",
        f"Платёж по заказу {order.number} получен — Alpha Photo",
    ]
    download = next(m for m in mail.outbox if "скачиванию" in m.subject)
    [(html, _type)] = download.alternatives
    assert "Скачать фотографии" in html
