"""Class composites: every child in the grid with their name, drawn by the task from the
chosen poses, sold as a class photo (gallery, orders, lab export), regenerated in place."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django_tenants.utils import schema_context
from PIL import Image, ImageStat

from saas_platform.accounts.models import User
from studio.orders.lab import lab_batch_archive, lab_batch_create
from studio.orders.services import LineInput, order_create, payment_confirm, payment_create
from studio.photos.archive import zip_response
from studio.photos.models import Photo
from studio.privacy.services import child_erase
from studio.schools.models import School, SchoolClass, Student
from studio.schools.services import student_update
from studio.shoots.models import Shoot
from studio.yearbook.composite import (
    FOOTER,
    HEADER,
    HEIGHT,
    MARGIN,
    WIDTH,
    grid,
    render_composite,
)
from studio.yearbook.models import Composite, JobStatus
from studio.yearbook.selectors import class_pose_photos
from studio.yearbook.services import composite_request
from tests.conftest import logged_in_client, push_id_sequences
from tests.studio.storefront.test_gallery import shown_ids
from tests.studio.yearbook.conftest import parent


def _make(yb, run_tasks, capture, **changes) -> Composite:
    with schema_context(yb["studio"].schema), capture(execute=True):
        school_class = SchoolClass.objects.get(pk=yb["anna"].school_class_id)
        composite = composite_request(
            actor=yb["manager"], shoot=yb["shoot"], school_class=school_class, **changes
        )
    with schema_context(yb["studio"].schema):
        composite.refresh_from_db()
    assert "studio.yearbook.tasks.build_composite" in [name for name, *_ in run_tasks]
    return composite


def _ink(image: Image.Image, box) -> int:
    """How many clearly dark pixels the box holds."""
    return sum(
        image.crop(box).convert("L").point(lambda v: 255 if v < 140 else 0).histogram()[255:]
    )


def test_the_grid_has_every_child_with_their_name(yb):
    with schema_context(yb["studio"].schema):
        school_class = yb["anna"].school_class
        pairs = [p for p in class_pose_photos(shoot=yb["shoot"], school_class=school_class)]
        pairs.append((Student(pk=999_999, first_name="Без", last_name="Портрета"), None))
        data, layout = render_composite(
            studio=yb["studio"].studio,
            shoot=yb["shoot"],
            school_class=school_class,
            title="",
            pairs=pairs,
        )

    image = Image.open(io.BytesIO(data))
    assert image.size == (WIDTH, HEIGHT) and image.info["dpi"] == (300, 300)
    assert [cell.name for cell in layout.cells] == [
        ("Anna", "K"),
        ("Boris", "K"),
        ("Hidden", "K"),
        ("Без", "Портрета"),
    ]
    assert [cell.has_photo for cell in layout.cells] == [True, True, True, False]
    for cell in layout.cells:
        assert _ink(image, cell.name_box) > 50  # the name is drawn
        photo_area = ImageStat.Stat(image.crop(cell.photo_box).convert("L"))
        if cell.has_photo:
            assert photo_area.stddev[0] > 10  # a textured portrait, not a flat box
        else:
            assert photo_area.stddev[0] < 1
    boxes = [cell.photo_box for cell in layout.cells]
    for i, a in enumerate(boxes):
        assert 0 <= a[0] < a[2] <= WIDTH and 0 <= a[1] < a[3] <= HEIGHT
        for b in boxes[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]  # no overlap


@pytest.mark.parametrize("count", [1, 2, 7, 24, 36])
def test_the_grid_fits_any_class(count):
    columns, rows, width, height = grid(count, width=2820, height=1850, name_height=120)
    assert columns * rows >= count > (rows - 1) * columns
    assert columns * width <= 2820 and rows * (height + 120) <= 1850
    assert width > 150


def test_the_task_draws_the_composite_from_the_poses_and_the_gallery_sells_it(
    yb, run_tasks, django_capture_on_commit_callbacks
):
    with schema_context(yb["studio"].schema):
        boris = yb["boris"]
    composite = _make(
        yb,
        run_tasks,
        django_capture_on_commit_callbacks,
        title="4A — 2027",
        order=[boris.pk, yb["anna"].pk, 123456789],
    )

    assert composite.status == JobStatus.READY, composite.error
    assert composite.names == ["Boris K", "Anna K"]  # the hidden child is left out
    assert composite.order == [boris.pk, yb["anna"].pk]
    with schema_context(yb["studio"].schema):
        photo = Photo.objects.get(pk=composite.photo_id)
        assert (photo.is_group, photo.school_class_id, photo.status) == (
            True,
            yb["anna"].school_class_id,
            "ready",
        )
        assert photo.thumbnail.name and photo.preview.name
        assert Image.open(photo.original.open("rb")).size == (WIDTH, HEIGHT)
    page = parent(yb, "Anna").get("/gallery/").content.decode()
    assert composite.photo_id in shown_ids(page)
    with schema_context(yb["studio"].schema):
        assert set(photo.students.values_list("pk", flat=True)) == {boris.pk, yb["anna"].pk}
    with (
        schema_context(yb["studio"].schema),
        django_capture_on_commit_callbacks(execute=True),
    ):
        student_update(student=boris, do_not_publish=True)  # Boris is on it: it goes
    page = parent(yb, "Anna").get("/gallery/").content.decode()
    assert composite.photo_id not in shown_ids(page)


def test_staff_preview_it_and_regenerating_keeps_orders_valid(
    yb, run_tasks, django_capture_on_commit_callbacks
):
    first = _make(yb, run_tasks, django_capture_on_commit_callbacks)
    url = f"/staff/yearbook/{yb['shoot'].pk}/composites/{yb['anna'].school_class_id}/"
    page = yb["staff"].get(url).content.decode()
    assert "preview.jpg?g=1" in page
    preview = yb["staff"].get(url + "preview.jpg")
    assert preview.status_code == 200 and preview["Content-Type"] == "image/jpeg"
    with schema_context(yb["studio"].schema):
        order = order_create(
            lines=[
                LineInput(
                    description="Class composite 20×25",
                    kind="print",
                    quantity=1,
                    unit_price=Decimal("9.00"),
                    gross=Decimal("9.00"),
                    net=Decimal("9.00"),
                    child_id=yb["anna"].pk,
                    photo_id=first.photo_id,
                    print_size="20x25",
                )
            ],
            currency="EUR",
            email="mum@example.com",
            payment_method="bank_transfer",
            idempotency_key="composite-order",
            delivery={"method": "school"},
        )
        payment_confirm(payment=payment_create(order=order, provider="bank_transfer"))

    with django_capture_on_commit_callbacks(execute=True):
        response = yb["staff"].post(url, {"title": "Again", "order": ""})
    assert response.status_code == 302

    with schema_context(yb["studio"].schema):
        again = Composite.objects.get(pk=first.pk)
        assert (again.photo_id, again.generation, again.title) == (first.photo_id, 2, "Again")
        photo = Photo.objects.select_related("approved_version").get(pk=first.photo_id)
        assert photo.approved_version.number == 1 and photo.status == "ready"
        assert "-v1-" in photo.preview.name  # a new preview name: no stale cached image
        newest = photo.approved_version.file.open("rb").read()
        line = order.lines.get()
        assert line.photo_id == first.photo_id
        result = lab_batch_create(order_ids=[order.pk], actor=yb["manager"])
        assert (result.exported, result.failed) == (1, [])
        body = b"".join(zip_response(lab_batch_archive(result.batch), "x.zip").streaming_content)
    files = zipfile.ZipFile(io.BytesIO(body))
    [name] = [n for n in files.namelist() if n != "manifest.csv"]
    assert name == f"{order.number}_20x25_1x_{first.photo_id}.jpg"
    assert files.read(name) == newest  # the regenerated composite, at print resolution
    assert Image.open(io.BytesIO(newest)).size == (WIDTH, HEIGHT)
    page = yb["staff"].get(url).content.decode()
    assert "preview.jpg?g=2" in page


def test_lower_roles_and_other_studios_cannot_make_or_see_composites(
    yb, beta, run_tasks, django_capture_on_commit_callbacks
):
    composite = _make(yb, run_tasks, django_capture_on_commit_callbacks)
    run_tasks.clear()
    shoot, class_id = yb["shoot"], yb["anna"].school_class_id
    url = f"/staff/yearbook/{shoot.pk}/composites/{class_id}/"
    photographer = logged_in_client(yb["studio"], yb["photographer"])
    assert photographer.get(url).status_code == 403
    assert photographer.get(url + "preview.jpg").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert photographer.post(url, {"title": "x"}).status_code == 403
    assert run_tasks == []
    # A class of another school of the same studio is not on this picture day.
    with schema_context(yb["studio"].schema):
        elsewhere = SchoolClass.objects.create(
            school=School.objects.create(name="Other school"), name="1A", school_year="2026-2027"
        )
    assert (
        yb["staff"].get(f"/staff/yearbook/{shoot.pk}/composites/{elsewhere.pk}/").status_code == 404
    )
    # Another studio's owner finds nothing by alpha's ids.
    with schema_context(beta.schema):
        push_id_sequences([School, SchoolClass, Shoot, Photo, Composite], start=4_000_000)
        owner = User.objects.get(email=beta.owner_email)
    other = logged_in_client(beta, owner)
    assert other.get(url).status_code == 404
    assert other.get(url + "preview.jpg").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert other.post(url, {"title": "x"}).status_code == 404
    assert run_tasks == []
    with schema_context(yb["studio"].schema):
        composite.refresh_from_db()
        assert composite.generation == 1
    with schema_context(beta.schema):
        assert not Composite.objects.exists()
        assert not Shoot.objects.filter(pk=shoot.pk).exists()


def test_erasing_a_child_redraws_the_composite_without_them_and_deletes_earlier_drawings(
    yb, run_tasks, django_capture_on_commit_callbacks
):
    first = _make(yb, run_tasks, django_capture_on_commit_callbacks, title="One")
    with schema_context(yb["studio"].schema):
        photo = Photo.objects.get(pk=first.photo_id)
        first_drawing = [(photo.thumbnail.storage, photo.thumbnail.name)]
        first_drawing.append((photo.preview.storage, photo.preview.name))
    run_tasks.clear()
    _make(yb, run_tasks, django_capture_on_commit_callbacks, title="Two")
    with schema_context(yb["studio"].schema):
        photo = Photo.objects.get(pk=first.photo_id)
        preview_url = f"/staff/yearbook/{yb['shoot'].pk}/composites/{yb['anna'].school_class_id}/"
    assert yb["staff"].get(preview_url + "preview.jpg").status_code == 200  # a review copy
    with schema_context(yb["studio"].schema):
        earlier = [
            (photo.original.storage, photo.original.name),
            *((v.file.storage, v.file.name) for v in photo.versions.all()),
            (photo.thumbnail.storage, photo.thumbnail.name),
            (photo.preview.storage, photo.preview.name),
            (photo.original.storage, f"review/composite-{photo.pk}-2.jpg"),
            *first_drawing,
        ]
        assert all(storage.exists(name) for storage, name in earlier)
    run_tasks.clear()

    with (
        schema_context(yb["studio"].schema),
        django_capture_on_commit_callbacks(execute=True),
    ):
        child_erase(student=Student.objects.get(pk=yb["boris"].pk), actor=yb["manager"])

    assert ("studio.yearbook.tasks.build_composite", (first.pk, True), {}) in run_tasks
    with schema_context(yb["studio"].schema):
        composite = Composite.objects.get(pk=first.pk)
        assert (composite.photo_id, composite.generation) == (first.photo_id, 3)
        assert composite.names == ["Anna K"]
        photo = Photo.objects.select_related("approved_version").get(pk=first.photo_id)
        assert list(photo.students.values_list("first_name", flat=True)) == ["Anna"]
        assert photo.versions.count() == 1 and photo.status == "ready"
        assert photo.approved_version.file.open("rb").read() == photo.original.open("rb").read()
        assert not any(storage.exists(name) for storage, name in earlier)


def test_the_header_has_the_studios_colour_logo_and_name(yb):
    studio = yb["studio"].studio
    studio.brand_color = "#0a7d32"
    logo = io.BytesIO()
    Image.new("RGB", (300, 100), (220, 20, 20)).save(logo, "PNG")
    with schema_context(yb["studio"].schema):  # the studio's media live under its schema
        studio.logo.save("logo.png", ContentFile(logo.getvalue()), save=False)
        school_class = SchoolClass.objects.get(pk=yb["anna"].school_class_id)
        pairs = class_pose_photos(shoot=yb["shoot"], school_class=school_class)
        data, _layout = render_composite(
            studio=studio, shoot=yb["shoot"], school_class=school_class, title="T", pairs=pairs
        )

    image = Image.open(io.BytesIO(data)).convert("RGB")
    assert _near(image.getpixel((WIDTH - 10, 10)), (10, 125, 50))  # the header's colour
    assert _near(image.getpixel((MARGIN + 20, HEADER // 2)), (220, 20, 20))  # the logo
    assert _near(image.getpixel((10, HEIGHT - 5)), (10, 125, 50))  # the bottom rule
    studio_name_box = (WIDTH - MARGIN - 600, HEIGHT - FOOTER + 20, WIDTH - MARGIN, HEIGHT - 30)
    greens = [
        p for p in image.crop(studio_name_box).get_flattened_data() if _near(p, (10, 125, 50), 60)
    ]
    assert len(greens) > 100  # the studio's name, in its colour


def _near(pixel, colour, tolerance=30) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))
