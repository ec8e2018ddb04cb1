"""Files in: each judged alone, stored untouched, never twice; then processed."""

import pytest
from django.core.files.storage import default_storage
from django_tenants.utils import schema_context
from PIL import Image

from saas_platform.accounts.models import Role
from studio.photos.models import Photo, PhotoStatus
from studio.photos.services.ingest import photo_ingest_file, photo_ingest_zip
from studio.photos.services.processing import photo_process, photo_retry
from studio.photos.services.tagging import photos_tag_from_csv
from studio.schools.models import Student
from tests.studio.photos.images import (
    broken_jpeg,
    corrupt_jpeg,
    iphone_heic,
    jpeg_bytes,
    write,
    zip_bytes,
)


@pytest.fixture
def ingest(production, tmp_path, django_capture_on_commit_callbacks):
    """Ingest bytes as a file named ``name`` into the production shoot (inside alpha)."""

    def _ingest(name, data, **kwargs):
        path = write(tmp_path / f"incoming-{name.replace('/', '_')}", data)
        with django_capture_on_commit_callbacks(execute=False):
            return photo_ingest_file(
                shoot=production["shoot"],
                path=path,
                file_name=name,
                uploaded_by=production["users"][Role.PHOTOGRAPHER],
                **kwargs,
            )

    with schema_context(production["studio"].schema):
        yield _ingest


def test_an_accepted_file_is_stored_untouched_and_described(ingest, production):
    data = jpeg_bytes(640, 480, seed=1)

    outcome = ingest("IMG_0001.jpg", data, school_class=production["class"])

    photo = Photo.objects.get(pk=outcome.photo_id)
    assert (outcome.result, outcome.reason) == ("accepted", "")
    assert photo.original.read() == data
    assert (photo.original_name, photo.width, photo.height, photo.status) == (
        "IMG_0001.jpg",
        640,
        480,
        PhotoStatus.UPLOADED,
    )
    assert photo.school_class == production["class"]
    assert photo.photographer == production["users"][Role.PHOTOGRAPHER]
    assert len(photo.content_hash) == 64


def test_a_motion_photo_is_accepted_and_stored_without_its_video(ingest, production, tmp_path):
    image = jpeg_bytes(640, 480, seed=21)
    video = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42" + bytes(range(256)) * 64

    outcome = ingest("PXL_20261001_MP.jpg", image + video)
    again = ingest("PXL_20261001.jpg", image)

    photo = Photo.objects.get(pk=outcome.photo_id)
    assert (outcome.result, outcome.reason) == ("accepted", "")
    assert photo.original.read() == image
    assert (photo.original_name, photo.size_bytes, photo.width, photo.height) == (
        "PXL_20261001_MP.jpg",
        len(image),
        640,
        480,
    )
    assert (again.result, again.photo_id) == ("duplicate", photo.pk)


def test_an_exact_duplicate_is_not_stored_twice(ingest, media_in_tmp):
    data = jpeg_bytes(seed=2)
    first = ingest("IMG_0002.jpg", data)
    second = ingest("copy of IMG_0002.jpg", data)

    assert second.result == "duplicate"
    assert second.photo_id == first.photo_id
    assert second.reason == "Already uploaded to this picture day as “IMG_0002.jpg”."
    assert Photo.objects.count() == 1
    stored = [p for p in (media_in_tmp / "private").rglob("*") if p.is_file()]
    assert len(stored) == 1


BAD_FILES = [
    ("notes.jpg", b"this is not an image at all", "not_image"),
    ("empty.jpg", b"", "not_image"),
    ("half.jpg", broken_jpeg(), "truncated"),
]


@pytest.mark.parametrize(("name", "data", "code"), BAD_FILES)
def test_a_bad_file_is_rejected_with_its_name_and_a_reason(ingest, name, data, code):
    outcome = ingest(name, data)

    assert (outcome.file_name, outcome.result, outcome.photo_id) == (name, "rejected", None)
    assert outcome.reason
    assert Photo.objects.count() == 0


def test_a_broken_file_in_a_batch_of_twenty_fails_alone(ingest):
    outcomes = [ingest(f"IMG_{n:04d}.jpg", jpeg_bytes(seed=100 + n)) for n in range(19)]
    outcomes.insert(7, ingest("IMG_BROKEN.jpg", broken_jpeg()))

    assert [o.result for o in outcomes].count("accepted") == 19
    rejected = [o for o in outcomes if o.result == "rejected"]
    assert [(o.file_name, bool(o.reason)) for o in rejected] == [("IMG_BROKEN.jpg", True)]
    assert Photo.objects.count() == 19


def test_a_zip_is_unpacked_file_by_file_with_class_folders(production, tmp_path):
    archive = write(
        tmp_path / "day.zip",
        zip_bytes(
            {
                "11A/IMG_0001.jpg": jpeg_bytes(seed=3),
                "11A/IMG_0002.jpg": broken_jpeg(),
                "loose/IMG_0003.jpg": jpeg_bytes(seed=4),
                "__MACOSX/11A/._IMG_0001.jpg": b"resource fork",
                ".DS_Store": b"junk",
            }
        ),
    )
    with schema_context(production["studio"].schema):
        outcomes = photo_ingest_zip(
            shoot=production["shoot"], path=archive, uploaded_by=production["users"][Role.MANAGER]
        )
        classes = dict(Photo.objects.values_list("original_name", "school_class__name"))

    assert [(o.file_name, o.result) for o in outcomes] == [
        ("11A/IMG_0001.jpg", "accepted"),
        ("11A/IMG_0002.jpg", "rejected"),
        ("loose/IMG_0003.jpg", "accepted"),
    ]
    assert classes == {"IMG_0001.jpg": "11A", "IMG_0003.jpg": None}


def test_zip_entries_leading_outside_it_are_reported_as_rejected_by_name(production, tmp_path):
    archive = write(
        tmp_path / "evil.zip",
        zip_bytes(
            {
                "../IMG_0001.jpg": jpeg_bytes(seed=11),
                "11A/../../IMG_0002.jpg": jpeg_bytes(seed=12),
                "/etc/IMG_0003.jpg": jpeg_bytes(seed=13),
                "C:\\photos\\IMG_0004.jpg": jpeg_bytes(seed=14),
                "..\\IMG_0005.jpg": jpeg_bytes(seed=15),
                "11A/IMG_0006..jpg": jpeg_bytes(seed=16),  # two dots in a name are fine
            }
        ),
    )
    with schema_context(production["studio"].schema):
        outcomes = photo_ingest_zip(
            shoot=production["shoot"], path=archive, uploaded_by=production["users"][Role.MANAGER]
        )
        stored = list(Photo.objects.values_list("original_name", flat=True))

    outside = "Its path leads outside the ZIP (“..” or an absolute path)."
    assert [(o.file_name, o.result, o.reason) for o in outcomes] == [
        ("../IMG_0001.jpg", "rejected", outside),
        ("11A/../../IMG_0002.jpg", "rejected", outside),
        ("/etc/IMG_0003.jpg", "rejected", outside),
        ("C:\\photos\\IMG_0004.jpg", "rejected", outside),
        ("..\\IMG_0005.jpg", "rejected", outside),
        ("11A/IMG_0006..jpg", "accepted", ""),
    ]
    assert stored == ["IMG_0006..jpg"]


def test_a_damaged_zip_is_rejected_as_a_whole(production, tmp_path):
    archive = write(tmp_path / "broken.zip", b"PK\x03\x04 not really a zip")
    with schema_context(production["studio"].schema):
        outcomes = photo_ingest_zip(
            shoot=production["shoot"], path=archive, uploaded_by=production["users"][Role.MANAGER]
        )

    assert [(o.result, o.reason) for o in outcomes] == [("rejected", "This ZIP file is damaged.")]


def test_file_names_starting_with_a_student_id_tag_the_student_and_class(ingest, production):
    outcome = ingest("a17_portrait_1.jpg", jpeg_bytes(seed=5))

    photo = Photo.objects.get(pk=outcome.photo_id)
    assert list(photo.students.all()) == [production["anna"]]
    assert photo.school_class == production["class"]


def test_a_csv_maps_file_names_to_students(ingest, production):
    ingest("IMG_0100.jpg", jpeg_bytes(seed=6))
    ingest("IMG_0101.jpg", jpeg_bytes(seed=7))
    csv_data = (
        "file;student\nIMG_0100.jpg;A17\nIMG_0101.jpg;A17 B02\nIMG_0999.jpg;A17\nIMG_0100.jpg;Z99\n"
    )

    result = photos_tag_from_csv(shoot=production["shoot"], data=csv_data.encode("cp1251"))

    tagged = {
        p.original_name: sorted(s.external_id for s in p.students.all())
        for p in Photo.objects.all()
    }
    assert tagged == {"IMG_0100.jpg": ["A17"], "IMG_0101.jpg": ["A17", "B02"]}
    assert result.tagged == 2
    assert result.problems == [
        "row 4: no photo named “IMG_0999.jpg”",
        "row 5: no student with id “Z99”",
    ]


def _derived_files(media_in_tmp):
    return sorted(p.name for p in (media_in_tmp / "media").rglob("*") if p.is_file())


def test_processing_makes_a_thumbnail_and_a_watermarked_preview_without_metadata(
    ingest, media_in_tmp
):
    exif = Image.Exif()
    exif[0x0110] = "Camera X"  # model
    exif.get_ifd(0x8825)[2] = (55.0, 45.0, 0.0)  # GPS latitude
    outcome = ingest("IMG_0200.jpg", jpeg_bytes(2400, 1600, seed=8, exif=exif))

    photo = photo_process(photo_id=outcome.photo_id)

    assert (photo.status, photo.failure_reason) == (PhotoStatus.READY, "")
    with Image.open(photo.thumbnail.path) as thumb, Image.open(photo.preview.path) as preview:
        assert max(thumb.size) == 400 and max(preview.size) == 1600
        for derived in (thumb, preview):
            assert dict(derived.getexif()) == {}
            assert not {"exif", "xmp", "icc_profile"} & set(derived.info)


def test_an_iphone_heic_is_accepted_and_processed(ingest, tmp_path):

    data = iphone_heic(tmp_path / "made.heic", width=1200, height=900).read_bytes()
    outcome = ingest("IMG_4032.HEIC", data)
    assert (outcome.result, outcome.reason) == ("accepted", "")

    photo = photo_process(photo_id=outcome.photo_id)

    assert (photo.status, photo.failure_reason) == (PhotoStatus.READY, "")
    assert (photo.width, photo.height) == (1200, 900)
    with Image.open(photo.thumbnail.path) as thumb, Image.open(photo.preview.path) as preview:
        assert (thumb.format, thumb.size) == ("JPEG", (400, 300))
        assert (preview.format, preview.size) == ("JPEG", (1200, 900))


def test_processing_twice_gives_the_same_files_not_two_copies(ingest, media_in_tmp):
    outcome = ingest("IMG_0300.jpg", jpeg_bytes(seed=9))
    photo_process(photo_id=outcome.photo_id)
    first = _derived_files(media_in_tmp)
    first_bytes = default_storage.open(Photo.objects.get().preview.name).read()

    Photo.objects.filter(pk=outcome.photo_id).update(
        status=PhotoStatus.PROCESSING
    )  # as if redelivered
    photo_process(photo_id=outcome.photo_id)

    assert _derived_files(media_in_tmp) == first
    assert len(first) == 2
    assert default_storage.open(Photo.objects.get().preview.name).read() == first_bytes


def test_a_photo_that_cannot_be_decoded_fails_with_a_reason_and_can_be_retried(
    ingest, django_capture_on_commit_callbacks
):
    outcome = ingest("IMG_0400.jpg", corrupt_jpeg())
    assert outcome.result == "accepted"

    photo = photo_process(photo_id=outcome.photo_id)
    assert photo.status == PhotoStatus.FAILED
    assert photo.failure_reason == "The image data is damaged and cannot be read."

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        photo_retry(photo=photo)
    photo.refresh_from_db()
    assert (photo.status, photo.failure_reason, len(callbacks)) == (PhotoStatus.UPLOADED, "", 1)


def test_thumbnails_are_served_to_this_studios_staff_only(ingest, production, beta):
    from tests.conftest import logged_in_client

    photo = photo_process(photo_id=ingest("IMG_0500.jpg", jpeg_bytes(seed=11)).photo_id)
    url = photo.thumbnail.url
    assert url.startswith("/media/studio_alpha/derived/")

    manager = logged_in_client(production["studio"], production["users"][Role.MANAGER])
    response = manager.get(url)
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    assert b"".join(response.streaming_content) == photo.thumbnail.read()

    parent = logged_in_client(production["studio"], production["users"][Role.PARENT])
    assert parent.get(url).status_code == 403
    anonymous = manager.__class__(HTTP_HOST=production["studio"].host)
    assert anonymous.get(url).status_code == 302
    # the same path asked on another studio's host is not theirs
    with schema_context(beta.schema):
        from saas_platform.accounts.models import User

        beta_manager = User.objects.create_user(
            email="m@beta.test", password="pw-123456", role=Role.MANAGER
        )
    assert logged_in_client(beta, beta_manager).get(url).status_code == 404
    assert manager.get("/media/studio_alpha/../studio_beta/derived/x.jpg").status_code == 404


@pytest.mark.parametrize(
    ("name", "tagged"),
    [
        ("A17_0001.jpg", True),
        ("a17-portrait.jpg", True),
        ("IMG_0001.jpg", False),
        ("DSC 0042.jpg", False),
        ("A17.jpg", False),
    ],
)
def test_only_names_starting_with_a_roster_id_and_a_separator_are_tagged(
    ingest, production, name, tagged
):
    outcome = ingest(name, jpeg_bytes(seed=hash(name) % 1000))

    assert Photo.objects.get(pk=outcome.photo_id).students.exists() is tagged


@pytest.mark.parametrize(
    ("name", "external_id"),
    [
        ("11A-01_portrait.jpg", "11A-01"),  # the demo's ids hold a hyphen
        ("11a-01 portrait.jpg", "11A-01"),
        ("11A-012_portrait.jpg", "11A-012"),  # the longest id that fits wins
        ("11A-01-2.jpg", "11A-01"),
        ("11A_7_x.jpg", "11A_7"),  # "_" in an id is a character, not a wildcard
        ("11AB7_x.jpg", None),
        ("11A-0_portrait.jpg", None),  # no such id; 11A-01 does not end there
    ],
)
def test_file_names_are_matched_against_the_roster_longest_id_first(
    ingest, production, name, external_id
):
    for number, student_id in enumerate(("11A-01", "11A-012", "11A_7")):
        Student.objects.create(
            school_class=production["class"],
            first_name=f"Kid{number}",
            last_name="Sidorov",
            external_id=student_id,
        )

    outcome = ingest(name, jpeg_bytes(seed=hash(name) % 1000))

    photo = Photo.objects.get(pk=outcome.photo_id)
    expected = [external_id] if external_id else []
    assert list(photo.students.values_list("external_id", flat=True)) == expected
    assert photo.school_class == (production["class"] if external_id else None)
