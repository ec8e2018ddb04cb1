"""Signed links to a paid order's full-resolution photos: what they open, and everything that
makes them stop working."""

import datetime
import time

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from studio.downloads.links import ZIP, link_token
from studio.downloads.models import DownloadGrant
from studio.downloads.services import (
    download_grant_issue,
    download_grant_reissue,
    download_grant_revoke,
    order_downloads,
)
from studio.downloads.tasks import download_links_email
from studio.orders.services import order_move, payment_confirm, payment_create, refund_record
from tests.conftest import host_client, logged_in_client

from .conftest import body, days_later, digital_line, package_line, place, zip_contents


@pytest.fixture
def bought(day):
    """Anna's parent paid for one digital file of Anna and the "all digital" package."""
    with schema_context(day.studio.schema):
        order = place(
            day,
            [
                digital_line(day.photos["anna1"]),
                package_line(day.package, day.kids["Anna"]),
            ],
            key="bought",
        )
        downloads = order_downloads(order=order)
    return order, downloads


def urls_by_photo(downloads):
    return {item.photo.pk: item.url for item in downloads.items}


def test_a_paid_order_opens_the_approved_retouched_file_and_the_childs_originals(day, bought):
    order, downloads = bought
    photos = day.photos
    client = host_client(day.studio.host)

    assert downloads.available
    # The package covers Anna's photos of this picture day only: not Boris, not the spring day.
    assert set(urls_by_photo(downloads)) == {photos["anna1"].pk, photos["anna2"].pk}

    retouched = client.get(urls_by_photo(downloads)[photos["anna1"].pk])
    assert retouched.status_code == 200
    assert body(retouched) == day.version_bytes
    assert retouched["Content-Disposition"] == (
        f'attachment; filename="{order.number}_IMG_0001.jpg"'
    )
    assert "no-store" in retouched["Cache-Control"]

    original = client.get(urls_by_photo(downloads)[photos["anna2"].pk])
    with schema_context(day.studio.schema):
        assert body(original) == photos["anna2"].original.open("rb").read()


def test_the_zip_holds_every_covered_photo_in_full_resolution(day, bought):
    order, downloads = bought

    response = host_client(day.studio.host).get(downloads.zip_url)

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{order.number}-photos.zip"'
    contents = zip_contents(body(response))
    with schema_context(day.studio.schema):
        assert contents == {
            f"{order.number}_IMG_0001.jpg": day.version_bytes,
            f"{order.number}_IMG_0002.jpg": day.photos["anna2"].original.open("rb").read(),
        }


def test_thumbnails_open_with_the_same_link(day, bought):
    _order, downloads = bought
    response = host_client(day.studio.host).get(downloads.items[0].thumb_url)

    assert response.status_code == 200
    with schema_context(day.studio.schema):
        assert body(response) == downloads.items[0].photo.thumbnail.open("rb").read()


def test_a_tampered_link_is_not_found(day, bought):
    _order, downloads = bought
    client = host_client(day.studio.host)
    url = downloads.zip_url
    token = url.split("/")[-2]
    forged = [
        url.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B")),
        url.replace(token, token.replace(":", ":x", 1)),
        "/downloads/get/not-a-token/",
    ]
    for bad in forged:
        response = client.get(bad)
        assert response.status_code == 404
        assert b"does not work" in response.content


def test_a_signed_link_opens_no_photo_the_order_does_not_cover(day, bought):
    order, _downloads = bought
    client = host_client(day.studio.host)
    with schema_context(day.studio.schema):
        grant = DownloadGrant.objects.get(order=order)
        # Even a correctly signed link (which only the server can make) for a photo outside
        # the order, a hidden child's photo, or an id that does not exist opens nothing.
        guesses = [day.photos[name].pk for name in ("boris", "hidden", "anna_spring")]
        tokens = [
            link_token(order_id=order.pk, item=photo_id, secret=grant.secret)
            for photo_id in [*guesses, 999_999]
        ]
    for token in tokens:
        assert client.get(f"/downloads/get/{token}/").status_code == 404
        assert client.get(f"/downloads/thumb/{token}/").status_code == 404


def test_another_orders_link_opens_only_that_orders_photos(day, bought):
    _order, anna_downloads = bought
    with schema_context(day.studio.schema):
        boris_order = place(
            day, [digital_line(day.photos["boris"])], key="boris", parent=day.other_parent
        )
        boris_downloads = order_downloads(order=boris_order)
    client = host_client(day.studio.host)

    assert [item.photo.pk for item in boris_downloads.items] == [day.photos["boris"].pk]
    assert len(zip_contents(body(client.get(boris_downloads.zip_url)))) == 1
    # Swapping the order id into the other link breaks its signature.
    anna_token = anna_downloads.zip_url.split("/")[-2]
    boris_token = boris_downloads.zip_url.split("/")[-2]
    mixed = boris_token.split(":")[0] + ":" + anna_token.split(":", 1)[1]
    assert client.get(f"/downloads/get/{mixed}/").status_code == 404


def test_a_link_is_the_same_url_whenever_it_is_made_and_old_links_still_open(
    day, bought, monkeypatch
):
    """The e-mail's link and the order page's are one URL, even a second apart (tokens used
    to carry a timestamp); a link e-mailed in the old form still opens."""
    order, downloads = bought
    with schema_context(day.studio.schema):
        grant = DownloadGrant.objects.get(order=order)
        first = link_token(order_id=order.pk, item=ZIP, secret=grant.secret)
        later = time.time() + 5
        monkeypatch.setattr(time, "time", lambda: later)
        assert link_token(order_id=order.pk, item=ZIP, secret=grant.secret) == first
        monkeypatch.undo()
        old_form = signing.dumps(
            [order.pk, ZIP, grant.secret],
            salt=f"pictureday.downloads:{day.studio.schema}",
            compress=False,
        )
    assert downloads.zip_url == f"/downloads/get/{first}/"
    assert host_client(day.studio.host).get(f"/downloads/get/{old_form}/").status_code == 200


def test_a_link_does_not_work_on_another_studios_host(day, bought, beta):
    _order, downloads = bought
    client = host_client(beta.host)

    assert client.get(downloads.zip_url).status_code == 404
    assert client.get(downloads.items[0].url).status_code == 404


def test_an_unpaid_order_has_no_downloads(day):
    with schema_context(day.studio.schema):
        order = place(day, [digital_line(day.photos["anna1"])], key="unpaid", paid=False)
        downloads = order_downloads(order=order)
        with pytest.raises(ValidationError):
            download_grant_issue(order=order)
        # A link made for it anyway (as if leaked from a grant) opens nothing.
        DownloadGrant.objects.create(
            order=order, secret="s", issued_at=days_later(0), expires_at=days_later(30)
        )
        token = link_token(order_id=order.pk, item=ZIP, secret="s")

    assert not downloads.available and downloads.reason == "unpaid" and not downloads.items
    response = host_client(day.studio.host).get(f"/downloads/get/{token}/")
    assert response.status_code == 403
    assert b"cannot be downloaded" in response.content


def test_an_order_without_digital_items_has_no_download_block(day):
    with schema_context(day.studio.schema):
        line = digital_line(day.photos["anna1"])
        order = place(day, [line.__class__(**{**line.__dict__, "kind": "print"})], key="print")
        assert order_downloads(order=order) is None


def test_issue_is_idempotent_and_links_expire(day, bought):
    order, downloads = bought
    client = host_client(day.studio.host)
    with schema_context(day.studio.schema):
        grant = download_grant_issue(order=order)
        assert download_grant_issue(order=order).secret == grant.secret
        assert grant.expires_at - grant.issued_at == datetime.timedelta(days=30)
        assert order_downloads(order=order, now=days_later(29)).available
        expired = order_downloads(order=order, now=days_later(31))
        assert (expired.available, expired.reason, expired.can_reissue) == (False, "expired", True)
        DownloadGrant.objects.filter(pk=grant.pk).update(expires_at=days_later(-1))

    response = client.get(downloads.zip_url)
    assert response.status_code == 410
    assert b"expired" in response.content and b"Sign in" in response.content


def test_reissue_makes_new_links_and_retires_the_old_ones(day, bought):
    order, old = bought
    client = host_client(day.studio.host)
    with schema_context(day.studio.schema):
        download_grant_reissue(order=order)
        new = order_downloads(order=order)

    assert client.get(old.zip_url).status_code == 403
    assert b"replaced" in client.get(old.items[0].url).content
    assert client.get(new.zip_url).status_code == 200


def test_a_full_refund_closes_the_downloads_and_a_partial_one_does_not(day, bought):
    order, downloads = bought
    client = host_client(day.studio.host)
    with schema_context(day.studio.schema):
        refund_record(order=order, amount="5.00", reason="one photo")
    assert client.get(downloads.zip_url).status_code == 200

    with schema_context(day.studio.schema):
        order.refresh_from_db()
        refund_record(order=order, amount=order.paid_total - order.refunded_total)
        order.refresh_from_db()
        closed = order_downloads(order=order)
    assert (closed.available, closed.reason) == (False, "closed")
    assert client.get(downloads.zip_url).status_code == 403
    assert client.get(downloads.items[0].url).status_code == 403


def test_a_cancelled_order_has_no_downloads(day):
    with schema_context(day.studio.schema):
        order = place(day, [digital_line(day.photos["anna1"])], key="cancel", paid=False)
        order_move(order=order, to="cancelled", actor=day.owner)
        order.refresh_from_db()
        assert order_downloads(order=order).reason == "closed"


def test_a_revoked_grant_stays_revoked_for_the_family(day, bought):
    order, downloads = bought
    with schema_context(day.studio.schema):
        download_grant_revoke(order=order, reason="chargeback")
        assert order_downloads(order=order).reason == "revoked"
        with pytest.raises(ValidationError):
            download_grant_reissue(order=order)
    assert host_client(day.studio.host).get(downloads.zip_url).status_code == 403


def test_the_ready_email_carries_the_zip_link_once(
    day, run_tasks, django_capture_on_commit_callbacks
):
    with schema_context(day.studio.schema):
        order = place(day, [package_line(day.package, day.kids["Anna"])], key="mail")
        with django_capture_on_commit_callbacks(execute=True):
            download_links_email.enqueue_on_commit(order_id=order.pk)
            download_links_email.enqueue_on_commit(order_id=order.pk)
        grant = DownloadGrant.objects.get(order=order)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mama@example.test"]
    assert order.number in message.subject
    zip_link = next(line for line in message.body.splitlines() if "/downloads/get/" in line).strip()
    assert zip_link.startswith(f"http://{day.studio.host}") or zip_link.startswith(
        f"https://{day.studio.host}"
    )
    assert f"/account/orders/{order.number}/" in message.body
    path = zip_link.split(day.studio.host, 1)[1].lstrip(":0123456789")
    assert len(zip_contents(body(host_client(day.studio.host).get(path)))) == 2
    assert grant.emailed_at is not None


def test_the_links_go_out_once_when_the_order_becomes_paid(
    day, run_tasks, django_capture_on_commit_callbacks
):
    """Downloads listen to orders' ``order_paid``: one task, one e-mail, however often the
    payment is confirmed."""
    with schema_context(day.studio.schema):
        order = place(day, [package_line(day.package, day.kids["Anna"])], key="on-paid", paid=False)
        payment = payment_create(order=order, provider="cash")
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                payment_confirm(payment=payment)

    assert [name for name, _args, _kwargs in run_tasks] == [download_links_email.name]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mama@example.test"] and order.number in mail.outbox[0].subject


def test_the_parent_asks_for_new_links_from_the_order_page(day, bought):
    order, old = bought
    client = logged_in_client(day.studio, day.parent)

    response = client.post(f"/downloads/{order.number}/reissue/")

    assert response.status_code == 302
    assert response["Location"] == f"/account/orders/{order.number}/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["mama@example.test"]
    assert client.get(old.zip_url).status_code == 403
    # The e-mailed link is signed with the second it was made in, so it is checked by opening
    # it, not by signing another one (that differed whenever the clock ticked in between).
    link = next(w for w in mail.outbox[0].body.split() if "/downloads/get/" in w)
    path = link.split(day.studio.host, 1)[1].lstrip(":0123456789")
    assert link.endswith("/") and path.startswith("/downloads/get/")
    assert client.get(path).status_code == 200


def test_staff_reissue_restores_revoked_downloads(day, bought):
    order, _old = bought
    with schema_context(day.studio.schema):
        download_grant_revoke(order=order, reason="by mistake")
    client = logged_in_client(day.studio, day.owner)

    response = client.post(f"/downloads/{order.number}/reissue/", {"next": "/staff/"})

    assert response["Location"] == "/staff/"
    with schema_context(day.studio.schema):
        assert order_downloads(order=order).available


def test_a_refund_naming_a_line_closes_that_photo_only(day):
    with schema_context(day.studio.schema):
        order = place(
            day,
            [digital_line(day.photos["anna1"]), digital_line(day.photos["anna2"])],
            key="per-line",
        )
        before = urls_by_photo(order_downloads(order=order))
        anna1_line = order.lines.get(photo=day.photos["anna1"])
        refund_record(order=order, amount="5.00", reason="wrong photo", line_ids=[anna1_line.pk])
        order.refresh_from_db()
        after = order_downloads(order=order)
    client = host_client(day.studio.host)

    assert order.status == "partially_refunded"
    assert set(urls_by_photo(after)) == {day.photos["anna2"].pk}
    assert client.get(before[day.photos["anna1"].pk]).status_code in (403, 404)
    assert client.get(before[day.photos["anna2"].pk]).status_code == 200
    assert len(zip_contents(body(client.get(after.zip_url)))) == 1
