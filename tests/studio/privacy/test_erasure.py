"""Staff erase a child: photos (rows and files), tags, codes and downloads go; orders keep
their lines and amounts without the child; the books are not touched; the audit log says
who erased whom by id only."""

from decimal import Decimal

from django.core.files.storage import storages
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.access.models import AccessCode
from studio.audit.models import AuditEntry, AuditKind
from studio.downloads.models import DownloadGrant
from studio.ledger.models import LedgerEntry, LedgerTransaction
from studio.orders.models import Order
from studio.parents.models import FamilyCode
from studio.photos.models import Photo
from studio.schools.models import Student
from tests.conftest import host_client, logged_in_client

from .conftest import sign_in, staff


def _files_of(photo) -> list[tuple[object, str]]:
    return [
        (photo.original.storage, photo.original.name),
        (storages["default"], photo.thumbnail.name),
        (storages["default"], photo.preview.name),
    ]


def test_erasing_a_child_leaves_their_orders_amounts_and_nothing_else(
    family, django_capture_on_commit_callbacks
):
    studio = family["studio"]
    client = host_client(studio.host)
    # a parent holds Anna's code in their account
    client.post("/access/", {"code": family["codes"]["Anna"]})
    sign_in(client, "maria@example.com")
    with schema_context(studio.schema):
        anna, boris = family["anna"], family["boris"]
        manager = staff(Role.MANAGER)
        photos = {k: Photo.objects.get(pk=p.pk) for k, p in family["photos"].items()}
        files = _files_of(photos["anna1"]) + _files_of(photos["anna2"])
        assert all(storage.exists(name) for storage, name in files)
        assert FamilyCode.objects.filter(access_code__student=anna).count() == 1
        books = (LedgerTransaction.objects.count(), LedgerEntry.objects.count())
        assert books[0] > 0
        before = {o.number: (o.total, o.paid_total) for o in Order.objects.all()}
        lines_before = sorted(
            Order.objects.get(pk=family["both"].pk).lines.values_list("net", flat=True)
        )
        anna_id = anna.pk

    manager_client = logged_in_client(studio, manager)
    page = manager_client.get(f"/staff/privacy/children/{anna_id}/erase/").content.decode()
    assert "2 photos of the child are deleted" in page and "1 class or shared photo stays" in page
    assert manager_client.post(f"/staff/privacy/children/{anna_id}/erase/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            f"/staff/privacy/children/{anna_id}/erase/", {"confirm": "yes"}
        )
    assert response.status_code == 302

    with schema_context(studio.schema):
        assert not Student.objects.filter(pk=anna_id).exists()
        # her own photos and every file of theirs are gone; the class photo stays, untagged
        assert not Photo.objects.filter(pk__in=[photos["anna1"].pk, photos["anna2"].pk]).exists()
        assert not any(storage.exists(name) for storage, name in files)
        group = Photo.objects.get(pk=photos["group"].pk)
        assert list(group.students.all()) == []
        assert group.original.storage.exists(group.original.name)
        # her codes, and the family's hold on them
        assert not AccessCode.objects.filter(student_id=anna_id).exists()
        assert not FamilyCode.objects.filter(access_code__student_id=anna_id).exists()
        # orders keep lines and amounts; no line names her or shows her photo
        after = {o.number: (o.total, o.paid_total) for o in Order.objects.all()}
        assert after == before
        both = Order.objects.get(pk=family["both"].pk)
        assert sorted(both.lines.values_list("net", flat=True)) == lines_before
        assert both.lines.filter(child__isnull=True).count() == 1
        assert both.lines.filter(child=boris).count() == 1
        only = Order.objects.get(pk=family["only_anna"].pk)
        assert set(only.lines.values_list("child_id", "photo_id")) == {(None, None)}
        assert only.total == Decimal("10.000")
        # downloads: the order that was hers alone is closed, the shared one stays
        assert DownloadGrant.objects.get(order=only).revoked_at is not None
        assert DownloadGrant.objects.get(order=both).revoked_at is None
        # the books: not a row more or less (and their triggers refuse any UPDATE)
        assert (LedgerTransaction.objects.count(), LedgerEntry.objects.count()) == books
        memos = " ".join(LedgerTransaction.objects.values_list("memo", flat=True))
        assert "Anna" not in memos
        # Boris is untouched
        assert Photo.objects.filter(pk=photos["boris"].pk, students=boris).exists()
        assert AccessCode.objects.filter(student=boris).exists()
        entry = AuditEntry.objects.get(kind=AuditKind.CHILD_ERASED)
        assert entry.actor == manager and entry.subject == f"student #{anna_id}"
        assert "Anna" not in str(entry.changes)
        assert {c["field"]: c["old"] for c in entry.changes} == {
            "photos_deleted": 2,
            "group_photos_untagged": 1,
            "access_codes_deleted": 1,
            "order_lines_kept": 3,
            "downloads_revoked": 1,
        }


def test_a_photo_of_siblings_together_stays_for_the_sibling(
    family, django_capture_on_commit_callbacks
):
    studio = family["studio"]
    with schema_context(studio.schema):
        together = family["photos"]["boris"]
        together.students.add(family["anna"])  # Anna and Boris on one portrait
        owner = User.objects.get(email=studio.owner_email)
    manager = logged_in_client(studio, owner)
    page = manager.get(f"/staff/privacy/children/{family['anna'].pk}/erase/").content.decode()
    assert "2 photos of the child are deleted" in page  # anna1 and anna2, not the shared one
    assert "2 class or shared photos stay" in page
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(f"/staff/privacy/children/{family['anna'].pk}/erase/", {"confirm": "yes"})
    with schema_context(studio.schema):
        photo = Photo.objects.get(pk=together.pk)
        assert list(photo.students.all()) == [family["boris"]]
        assert photo.original.storage.exists(photo.original.name)
        assert not Photo.objects.filter(pk=family["photos"]["anna1"].pk).exists()


def test_the_erased_childs_code_and_photos_no_longer_open(
    family, django_capture_on_commit_callbacks
):
    studio = family["studio"]
    parent = host_client(studio.host)
    parent.post("/access/", {"code": family["codes"]["Anna"]})
    anna1 = family["photos"]["anna1"].pk
    photo_page = f"/gallery/{anna1}/?child={family['anna'].pk}"
    assert parent.get(photo_page).status_code == 200
    with schema_context(studio.schema):
        owner = User.objects.get(email=studio.owner_email)
    with django_capture_on_commit_callbacks(execute=True):
        logged_in_client(studio, owner).post(
            f"/staff/privacy/children/{family['anna'].pk}/erase/", {"confirm": "yes"}
        )
    assert parent.get(photo_page).status_code == 404
    assert parent.get("/gallery/").status_code == 302  # nothing opened any more
    assert (
        host_client(studio.host).post("/access/", {"code": family["codes"]["Anna"]}).status_code
        != 302
    )


def test_only_owners_and_managers_erase_and_only_in_their_studio(family, beta):
    studio = family["studio"]
    anna_id = family["anna"].pk
    url = f"/staff/privacy/children/{anna_id}/erase/"
    with schema_context(studio.schema):
        others = [staff(role) for role in (Role.PHOTOGRAPHER, Role.RETOUCHER, Role.PRINCIPAL)]
        parent = User.objects.create_user(email="dad@example.com", role=Role.PARENT)
    for user in others + [parent]:
        response = logged_in_client(studio, user).post(url, {"confirm": "yes"})
        assert response.status_code in (302, 403), user.role
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"]
    assert host_client(studio.host).post(url, {"confirm": "yes"}).status_code == 302
    # beta's owner, with alpha's id, on beta's host: no such child there
    with schema_context(beta.schema):
        beta_owner = User.objects.get(email=beta.owner_email)
        assert not Student.objects.filter(pk=anna_id).exists()
    response = logged_in_client(beta, beta_owner).post(url, {"confirm": "yes"})
    assert response.status_code == 404
    # beta's session on alpha's host is nobody there
    beta_session = logged_in_client(beta, beta_owner)
    beta_session.defaults["HTTP_HOST"] = studio.host
    assert beta_session.post(url, {"confirm": "yes"}).status_code == 302
    with schema_context(studio.schema):
        assert Student.objects.filter(pk=anna_id).exists()
        assert Photo.objects.filter(students__pk=anna_id).count() == 3
