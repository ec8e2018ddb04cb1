"""Deleting a studio: scheduled by an operator with a grace period, the owner warned, carried
out by the periodic task, and nothing of the studio left: schema, files, cache keys, Stripe
subscription and customer. Another studio's files and keys stay."""

import datetime
import io
import os
import uuid

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists
from PIL import Image
from sorl.thumbnail.models import KVStore

from billing.models import Plan, StripeEvent
from billing.subscriptions import customer_ensure
from operator_console.models import AuditAction, StudioDeletion
from operator_console.services import studio_deletions_run
from saas_platform import stripe_api
from saas_platform.accounts.models import Role, User
from studio.photos.models import Photo
from studio.photos.services.processing import photo_process
from studio.photos.services.uploads import upload_append_chunk, upload_start
from studio.schools.models import School, SchoolClass
from studio.settings.services import studio_settings_update
from studio.shoots.services import shoot_create
from tenants.models import Domain, Studio
from tenants.services import studio_create
from tests.conftest import host_client, logged_in_client
from tests.studio.photos.images import jpeg_bytes


def _png(color=(200, 30, 30, 255), size=(120, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def _files(root) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _dirs, names in os.walk(root)
        for name in names
    )


def _studio_with_everything(fake_stripe, slug: str) -> Studio:
    """A studio with an uploaded, processed photo, a half-uploaded one, a logo and its
    thumbnails, a watermark, cached keys, a Stripe customer and subscription."""
    result = studio_create(
        name="Gamma Photo",
        slug=slug,
        owner_email=f"owner@{slug}.test",
        owner_name="Gamma Owner",
        owner_password="correct horse battery staple",
    )
    studio = result.studio
    with schema_context(studio.schema_name):
        photographer = User.objects.create_user(
            email=f"ph@{slug}.test", password="pw-123456", role=Role.PHOTOGRAPHER
        )
        school = School.objects.create(name="School No. 1")
        school_class = SchoolClass.objects.create(school=school, name="1A", school_year="2026")
        shoot = shoot_create(
            school=school, name="Autumn", date="2026-10-01", photographers=[photographer]
        )
        body = jpeg_bytes(width=320, height=240, seed=3)
        upload = upload_start(
            shoot=shoot,
            file_name="IMG_1.jpg",
            size_bytes=len(body),
            user=photographer,
            school_class=school_class,
        )
        upload_append_chunk(upload=upload, offset=0, length=len(body), body=io.BytesIO(body))
        photo = Photo.objects.get(shoot=shoot)
        photo_process(photo_id=photo.pk)
        half = jpeg_bytes(width=320, height=240, seed=4)
        pending = upload_start(
            shoot=shoot, file_name="IMG_2.jpg", size_bytes=len(half), user=photographer
        )
        upload_append_chunk(upload=pending, offset=0, length=1000, body=io.BytesIO(half[:1000]))
        studio_settings_update(
            studio=studio,
            actor=result.owner,
            name=studio.name,
            brand_color=studio.brand_color,
            currency=studio.currency,
            language="ru",
            timezone=studio.timezone,
            logo=SimpleUploadedFile("logo.png", _png(), content_type="image/png"),
            watermark_image=SimpleUploadedFile("wm.png", _png((0, 0, 0, 90)), "image/png"),
        )
        cache.set("gallery:test", [1, 2, 3], 600)
    with schema_context(get_public_schema_name()):
        studio = Studio.objects.get(pk=studio.pk)
        customer_ensure(studio=studio)
        plan = Plan.objects.get(code="starter")
        plan.stripe_price_id = "price_test_starter_monthly"
        plan.save()
        subscription = _subscribe(fake_stripe, studio)
        studio.stripe_subscription_id = subscription["id"]
        studio.stripe_account_id = f"acct_{slug}"
        studio.save()
        StripeEvent.objects.create(
            event_id=f"evt_{slug}",
            type="checkout.session.completed",
            account=studio.stripe_account_id,
            payload={"customer_email": "parent@example.com"},
        )
    return studio


def _subscribe(fake_stripe, studio) -> dict:
    session = stripe_api.client().v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "customer": studio.stripe_customer_id,
            "line_items": [{"price": "price_test_starter_monthly", "quantity": 1}],
            "success_url": "http://x/ok",
            "cancel_url": "http://x/no",
        }
    )
    return fake_stripe.subscribe(session.id)


@pytest.fixture
def gamma(db, media_in_tmp, stripe_on):
    return _studio_with_everything(stripe_on, f"gamma{uuid.uuid4().hex[:8]}")


def _checks_now():
    """The studio was written in this test's transaction: its deferred foreign-key checks
    must run before its schema can be dropped in the same transaction (a real deletion runs
    long after)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _alpha_leftovers(alpha):
    """A file in each of alpha's storages and a cached key: none may go with gamma."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    with schema_context(alpha.schema):
        storages["default"].save("derived/keep.jpg", ContentFile(b"alpha"))
        storages["originals"].save("originals/keep.jpg", ContentFile(b"alpha"))
        cache.set("gallery:test", "alpha's", 600)


def test_deletion_is_scheduled_with_a_warning_then_removes_everything_of_the_studio(
    console,
    operator,
    alpha,
    gamma,
    media_in_tmp,
    stripe_on,
    settings,
    django_capture_on_commit_callbacks,
):
    _alpha_leftovers(alpha)
    schema = gamma.schema_name
    media, private, uploads = (
        media_in_tmp / "media",
        media_in_tmp / "private",
        media_in_tmp / "uploads",
    )
    # given: what gamma has in storage
    stored = _files(media / schema) + _files(private / schema) + _files(uploads / schema)
    assert any(name.startswith("derived/") for name in _files(media / schema))  # renditions
    assert any(name.startswith("branding/cache/") for name in _files(media / schema))  # logo sizes
    assert any(name.startswith("watermark/") for name in _files(media / schema))
    assert any(name.startswith("originals/") for name in _files(private / schema))
    assert any(n.startswith("uploads/") for n in _files(private / schema))  # a stored chunk
    assert len(stored) >= 7
    with schema_context(schema):
        assert cache.get("gallery:test") == [1, 2, 3]
    assert KVStore.objects.exists()
    subscription_id, customer_id = gamma.stripe_subscription_id, gamma.stripe_customer_id
    mail.outbox.clear()

    # when: the operator schedules the deletion (typing the subdomain)
    wrong = console.post(
        f"/console/studios/{gamma.pk}/delete/", {"reason": "Asked by the owner", "confirm": "alpha"}
    )
    assert wrong.status_code == 302 and not StudioDeletion.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = console.post(
            f"/console/studios/{gamma.pk}/delete/",
            {"reason": "Asked by the owner", "confirm": gamma.slug},
        )
    assert response.status_code == 302
    deletion = StudioDeletion.objects.get()
    assert deletion.is_pending and deletion.requested_by == operator
    days = (deletion.delete_after - deletion.requested_at).days
    assert (
        days == settings.STUDIO_DELETION_GRACE_DAYS - 1
        or days == settings.STUDIO_DELETION_GRACE_DAYS
    )
    # the owner is warned (on commit), in the studio's language
    assert [m.to for m in mail.outbox] == [[gamma.owner_email]]
    assert gamma.name in mail.outbox[0].subject and "удал" in mail.outbox[0].subject.lower()
    page = console.get(f"/console/studios/{gamma.pk}/").content.decode()
    assert 'id="deletion"' in page and "Cancel the deletion" in page
    assert gamma.audit_entries.filter(action=AuditAction.DELETION_SCHEDULED).count() == 1

    # during the grace period the task deletes nothing
    assert studio_deletions_run() == 0
    assert schema_exists(schema)

    # when the grace period is over
    _checks_now()
    assert studio_deletions_run(now=deletion.delete_after + datetime.timedelta(minutes=1)) == 1

    # then: no row, no schema, no host, no file, no key, no Stripe customer or subscription
    assert not Studio.objects.filter(pk=gamma.pk).exists()
    assert not Domain.objects.filter(domain__startswith=f"{gamma.slug}.").exists()
    assert not schema_exists(schema)
    assert not (media / schema).exists() and not (private / schema).exists()
    assert not (uploads / schema).exists()
    assert all(schema not in path for path in _files(media_in_tmp))
    with schema_context(schema):
        assert cache.get("gallery:test") is None
    assert host_client(f"{gamma.slug}.localhost").get("/").status_code == 404
    assert stripe_on.objects[("", subscription_id)]["status"] == "canceled"
    assert ("", customer_id) not in stripe_on.objects
    assert not StripeEvent.objects.filter(account=f"acct_{gamma.slug}").exists()
    deletion.refresh_from_db()
    assert deletion.deleted_at is not None and deletion.studio is None
    # the logo's sizes went with sorl's key-value store entries; the purge took the rest
    assert deletion.report["files"] == len([n for n in stored if "branding/cache/" not in n])
    assert not KVStore.objects.exists()
    assert deletion.report["cache_keys"] >= 1
    assert deletion.report["stripe"] == {
        "subscription": "cancelled",
        "customer": "deleted",
        "events": 1,
    }

    # and alpha keeps its files and keys
    assert _files(media / alpha.schema) == ["derived/keep.jpg"]
    assert _files(private / alpha.schema) == ["originals/keep.jpg"]
    with schema_context(alpha.schema):
        assert cache.get("gallery:test") == "alpha's"
    assert schema_exists(alpha.schema)


def test_an_operator_cancels_during_the_grace_period_and_nothing_is_deleted(
    console, gamma, media_in_tmp
):
    console.post(
        f"/console/studios/{gamma.pk}/delete/", {"reason": "Unpaid", "confirm": gamma.slug}
    )
    deletion = StudioDeletion.objects.get()
    response = console.post(f"/console/studios/{gamma.pk}/cancel-deletion/", {"reason": "Paid"})
    assert response.status_code == 302
    deletion.refresh_from_db()
    assert deletion.cancelled_at is not None and not deletion.is_pending
    assert studio_deletions_run(now=timezone.now() + datetime.timedelta(days=400)) == 0
    assert schema_exists(gamma.schema_name)
    assert (media_in_tmp / "private" / gamma.schema_name).exists()
    assert gamma.audit_entries.filter(action=AuditAction.DELETION_CANCELLED).count() == 1
    # scheduled again, it is one pending deletion at a time
    console.post(f"/console/studios/{gamma.pk}/delete/", {"reason": "x", "confirm": gamma.slug})
    console.post(f"/console/studios/{gamma.pk}/delete/", {"reason": "y", "confirm": gamma.slug})
    assert StudioDeletion.objects.filter(cancelled_at__isnull=True).count() == 1


def test_a_failed_run_is_recorded_and_the_next_run_finishes(console, gamma, stripe_on, settings):
    console.post(
        f"/console/studios/{gamma.pk}/delete/", {"reason": "Closed", "confirm": gamma.slug}
    )
    later = timezone.now() + datetime.timedelta(days=settings.STUDIO_DELETION_GRACE_DAYS + 1)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # Stripe unreachable
    _checks_now()
    assert studio_deletions_run(now=later) == 0
    deletion = StudioDeletion.objects.get()
    assert "error" in deletion.report and schema_exists(gamma.schema_name)
    settings.STRIPE_API_BASE = stripe_on.url
    assert studio_deletions_run(now=later) == 1
    assert not schema_exists(gamma.schema_name)
    deletion.refresh_from_db()
    assert "error" not in deletion.report and deletion.deleted_at


def test_only_operators_may_schedule_or_cancel(alpha, beta, db):
    """A studio's owner (on their host or the bare domain), a public user who is not an
    operator and an anonymous visitor act on no studio."""
    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
    for client in (
        logged_in_client(alpha, owner),
        host_client("localhost"),
    ):
        for action in ("delete", "cancel-deletion"):
            response = client.post(
                f"/console/studios/{beta.studio.pk}/{action}/",
                {"reason": "x", "confirm": beta.studio.slug},
            )
            assert response.status_code in (302, 403, 404)
    plain = User.objects.create_user(email="plain@pictureday.test", password="pw-123456")
    client = host_client("localhost")
    client.force_login(plain)
    assert (
        client.post(
            f"/console/studios/{beta.studio.pk}/delete/", {"reason": "x", "confirm": "beta"}
        ).status_code
        == 403
    )
    assert not StudioDeletion.objects.exists()
    assert schema_exists(beta.schema)


def test_the_confirmation_must_name_this_studio_not_another(console, alpha, beta):
    """Typing another studio's subdomain schedules nothing, for either."""
    console.post(f"/console/studios/{alpha.studio.pk}/delete/", {"reason": "x", "confirm": "beta"})
    assert not StudioDeletion.objects.exists()


def test_purge_refuses_the_public_and_base_schemas():
    from saas_platform import purge

    for name in ("public", "studio_template", "", "../etc", "a/b"):
        with pytest.raises(ValueError):
            purge.schema_files_delete(schema_name=name)
        with pytest.raises(ValueError):
            purge.schema_cache_delete(schema_name=name)


def test_a_logo_left_under_the_public_prefix_from_before_goes_too(console, db, media_in_tmp):
    """Logos once uploaded through the operator admin were stored in the public schema's
    media; a studio whose logo was never moved still has that one file outside its prefix."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    slug = f"delta{uuid.uuid4().hex[:8]}"
    studio = studio_create(
        name="Delta",
        slug=slug,
        owner_email=f"o@{slug}.test",
        owner_name="D",
        owner_password="x" * 12,
    ).studio
    with schema_context(get_public_schema_name()):
        name = default_storage.save("branding/delta-old.png", ContentFile(_png()))
        other = default_storage.save("branding/someone-else.png", ContentFile(_png()))
    Studio.objects.filter(pk=studio.pk).update(logo=name)
    console.post(f"/console/studios/{studio.pk}/delete/", {"reason": "x", "confirm": slug})
    _checks_now()
    assert studio_deletions_run(now=timezone.now() + datetime.timedelta(days=400)) == 1
    public = media_in_tmp / "media" / get_public_schema_name()
    assert _files(public) == [other]


def test_the_studio_list_marks_a_studio_waiting_for_deletion(console, alpha, beta):
    console.post(f"/console/studios/{alpha.studio.pk}/delete/", {"reason": "x", "confirm": "alpha"})
    page = console.get("/console/").content.decode()
    rows = {
        slug: page.split(f"/console/studios/{fixture.studio.pk}/", 1)[1].split("</tr>", 1)[0]
        for slug, fixture in (("alpha", alpha), ("beta", beta))
    }
    assert "Deletion scheduled" in rows["alpha"] and "Deletion scheduled" not in rows["beta"]
