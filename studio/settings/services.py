"""The owner's studio settings: name, logo, brand colour, locale, contact, invoice details and
watermark. The fields live on ``tenants.Studio`` (public schema); the logo lives in the
studio's own media (``<schema>/branding/…``), never in the public schema's."""

import contextlib
import logging
import secrets
import tempfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context
from sorl.thumbnail import delete as thumbnail_delete
from sorl.thumbnail import get_thumbnail

from saas_platform.versions import versions_bump
from studio.audit.models import AuditKind
from studio.audit.services import audit_changes, audit_record
from studio.core.emails import LOGO_EMAIL_GEOMETRY, LOGO_THUMBNAIL_OPTIONS
from studio.photos import imaging
from studio.photos.models import Photo, PhotoStatus
from studio.photos.services.processing import photo_process
from studio.photos.watermarks import studio_watermark
from tenants.models import Studio
from tenants.validators import validate_brand_colour, validate_currency, validate_timezone

from .models import WatermarkRerender

log = logging.getLogger(__name__)

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 4096 * 4096  # from the header, before anything is decoded
LOGO_FORMATS = {"jpeg": "jpg", "png": "png", "webp": "webp"}
WATERMARK_IMAGE_MAX_BYTES = 2 * 1024 * 1024
WATERMARK_IMAGE_MAX_PIXELS = 2048 * 2048  # drawn at most ~400 px wide on a preview
# Display sizes made once at upload with sorl-thumbnail; templates ask for the same
# geometry and options, so a page view only reads sorl's key-value store.
LOGO_SIZES = {"header": "x96", "email": LOGO_EMAIL_GEOMETRY}

TEXT_FIELDS = (
    "name",
    "contact_email",
    "contact_phone",
    "support_text",
    "legal_name",
    "legal_address",
    "watermark_text",
)


def logo_check(uploaded) -> str:
    """Checks an uploaded logo like a photo, reading only the first bytes and the header:
    JPEG, PNG or WebP, at most LOGO_MAX_BYTES and LOGO_MAX_PIXELS. Returns the extension."""
    if uploaded.size > LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": f"{uploaded.size / 2**20:.1f}", "limit": LOGO_MAX_BYTES // 2**20},
            code="too_large",
        )
    with _local_copy(uploaded) as path:
        try:
            info = imaging.inspect_original(path, size_bytes=uploaded.size)
        except imaging.RejectedImage as rejected:
            raise ValidationError(str(rejected.message), code=rejected.code) from rejected
    if info.format not in LOGO_FORMATS:
        raise ValidationError(_("Upload the logo as JPEG, PNG or WebP."), code="unsupported")
    if info.width * info.height > LOGO_MAX_PIXELS:
        raise ValidationError(
            _("The logo is %(width)s × %(height)s pixels; keep it under %(limit)s × %(limit)s.")
            % {"width": info.width, "height": info.height, "limit": 4096},
            code="too_many_pixels",
        )
    return LOGO_FORMATS[info.format]


def watermark_image_check(uploaded) -> None:
    """Checks an uploaded watermark like the logo, from the first bytes and the header only:
    a PNG (transparency is what makes a logo usable as a watermark), at most
    WATERMARK_IMAGE_MAX_BYTES and WATERMARK_IMAGE_MAX_PIXELS."""
    if uploaded.size > WATERMARK_IMAGE_MAX_BYTES:
        raise ValidationError(
            _("The watermark image is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "size": f"{uploaded.size / 2**20:.1f}",
                "limit": WATERMARK_IMAGE_MAX_BYTES // 2**20,
            },
            code="too_large",
        )
    with _local_copy(uploaded) as path:
        try:
            info = imaging.inspect_original(path, size_bytes=uploaded.size)
        except imaging.RejectedImage as rejected:
            raise ValidationError(str(rejected.message), code=rejected.code) from rejected
    if info.format != "png":
        raise ValidationError(_("Upload the watermark image as a PNG."), code="unsupported")
    if info.width * info.height > WATERMARK_IMAGE_MAX_PIXELS:
        raise ValidationError(
            _(
                "The watermark image is %(width)s × %(height)s pixels; "
                "keep it under %(limit)s × %(limit)s."
            )
            % {"width": info.width, "height": info.height, "limit": 2048},
            code="too_many_pixels",
        )
    uploaded.seek(0)
    try:  # decoded once now (it is small), so a damaged PNG never reaches the previews
        imaging.render_watermark_sample(imaging.WatermarkSpec(text="-", image=uploaded.read()))
    except imaging.RejectedImage as rejected:
        raise ValidationError(str(rejected.message), code=rejected.code) from rejected
    finally:
        uploaded.seek(0)


@contextlib.contextmanager
def _local_copy(uploaded):
    """A path to the upload's bytes: its temporary file, or a copy of an in-memory one."""
    if hasattr(uploaded, "temporary_file_path"):
        yield uploaded.temporary_file_path()
        return
    with tempfile.NamedTemporaryFile(suffix=".upload") as tmp:
        uploaded.seek(0)
        for chunk in uploaded.chunks():
            tmp.write(chunk)
        tmp.flush()
        yield tmp.name
    uploaded.seek(0)


def logo_thumbnails(studio: Studio) -> dict[str, object]:
    """The logo's display sizes (made once, then read from sorl's store), by LOGO_SIZES key."""
    if not studio.logo:
        return {}
    with schema_context(studio.schema_name):
        return {
            key: get_thumbnail(studio.logo, geometry, **LOGO_THUMBNAIL_OPTIONS)
            for key, geometry in LOGO_SIZES.items()
        }


def _logo_replace(studio: Studio, uploaded, extension: str | None) -> None:
    """Stores the new logo (or none) in the studio's schema and drops the old one with its
    thumbnails. A random name: sorl keys its store by name, shared by every studio."""
    with schema_context(studio.schema_name):
        old = File(None, studio.logo.name) if studio.logo else None
        if old is not None:
            old.storage = default_storage  # sorl deletes the source through it
        if uploaded is not None:
            uploaded.seek(0)
            name = f"branding/logo-{secrets.token_hex(8)}.{extension}"
            studio.logo.name = default_storage.save(name, File(uploaded))
        else:
            studio.logo.name = ""
        if old:
            try:
                thumbnail_delete(old)
            except Exception:  # noqa: BLE001 - a missing old file must not stop the change
                log.exception("could not delete the old logo %s", old.name)
    if studio.logo:
        logo_thumbnails(studio)


def _watermark_image_replace(studio: Studio, uploaded) -> None:
    """Stores the new watermark PNG (or none) in the studio's schema under a random name
    (the bytes are cached by name) and deletes the old file."""
    with schema_context(studio.schema_name):
        old = studio.watermark_image.name if studio.watermark_image else ""
        if uploaded is not None:
            uploaded.seek(0)
            name = f"watermark/watermark-{secrets.token_hex(8)}.png"
            studio.watermark_image.name = default_storage.save(name, File(uploaded))
        else:
            studio.watermark_image.name = ""
        if old:
            transaction.on_commit(lambda: _storage_delete(studio.schema_name, old))


def _storage_delete(schema_name: str, name: str) -> None:
    with schema_context(schema_name):
        try:
            default_storage.delete(name)
        except Exception:  # noqa: BLE001 - a missing old file must not stop the change
            log.exception("could not delete the old watermark image %s", name)


def studio_logo_adopt(*, studio: Studio) -> bool:
    """Moves a logo uploaded before it lived in the studio's media (the operator admin stored
    it under the public schema's) into ``<schema>/branding/``, with its display sizes.
    True if moved; a logo already in place, or none, is left alone (idempotent)."""
    if not studio.logo:
        return False
    name = studio.logo.name
    with schema_context(studio.schema_name):
        if default_storage.exists(name):
            return False
    with schema_context(get_public_schema_name()):
        if not default_storage.exists(name):
            return False
        with default_storage.open(name, "rb") as handle:
            data = handle.read()
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else "png"
    with schema_context(studio.schema_name):
        studio.logo.name = default_storage.save(
            f"branding/logo-{secrets.token_hex(8)}.{extension}", ContentFile(data)
        )
    Studio.objects.filter(pk=studio.pk).update(logo=studio.logo.name)
    logo_thumbnails(studio)
    with schema_context(get_public_schema_name()):
        default_storage.delete(name)
    return True


@transaction.atomic
def studio_settings_update(
    *,
    studio: Studio,
    actor,
    name: str,
    brand_color: str,
    currency: str,
    language: str,
    timezone: str,
    contact_email: str = "",
    contact_phone: str = "",
    support_text: str = "",
    legal_name: str = "",
    legal_address: str = "",
    watermark_text: str = "",
    watermark_opacity: int | None = None,
    watermark_image=None,
    remove_watermark_image: bool = False,
    logo=None,
    remove_logo: bool = False,
) -> Studio:
    """Validates everything before changing anything; raises ValidationError keyed by field.
    A changed watermark (its ``identity``: the image, or the text — the name when the text
    is empty — and the opacity) re-renders existing previews in the background
    (``watermark_rerender_start``). What changed goes to the studio's audit log under
    ``actor``; a save that changes nothing records nothing. ``watermark_opacity`` None keeps
    the saved one; removing the image falls back to the text."""
    errors: dict[str, list] = {}
    values = {
        "name": (name or "").strip(),
        "contact_email": (contact_email or "").strip(),
        "contact_phone": (contact_phone or "").strip(),
        "support_text": (support_text or "").strip(),
        "legal_name": (legal_name or "").strip(),
        "legal_address": (legal_address or "").strip(),
        "watermark_text": " ".join((watermark_text or "").split()),
    }
    if not values["name"]:
        errors["name"] = [_("Enter the studio's name.")]
    checks = {
        "brand_color": (validate_brand_colour, brand_color),
        "currency": (validate_currency, currency),
        "timezone": (validate_timezone, timezone),
    }
    for field, (check, value) in checks.items():
        try:
            values[field] = check(value)
        except ValidationError as error:
            errors[field] = error.messages
    if language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose English or Russian.")]
    values["language"] = language
    extension = None
    if logo is not None:
        try:
            extension = logo_check(logo)
        except ValidationError as error:
            errors["logo"] = error.messages
    if watermark_opacity is not None:
        low, high = imaging.WATERMARK_OPACITY_RANGE
        if not low <= watermark_opacity <= high:
            errors["watermark_opacity"] = [
                _("Choose an opacity from %(low)s to %(high)s %%.") % {"low": low, "high": high}
            ]
        values["watermark_opacity"] = watermark_opacity
    if watermark_image is not None:
        try:
            watermark_image_check(watermark_image)
        except ValidationError as error:
            errors["watermark_image"] = error.messages
    if errors:
        raise ValidationError(errors)

    studio = Studio.objects.select_for_update().get(pk=studio.pk)
    old_watermark = studio_watermark(studio).identity
    before = {field: getattr(studio, field) for field in values}
    before["logo"] = _logo_label(studio)
    before["watermark_image"] = _file_label(studio.watermark_image)
    for field, value in values.items():
        setattr(studio, field, value)
    if logo is not None or (remove_logo and studio.logo):
        _logo_replace(studio, logo, extension)
    if watermark_image is not None or (remove_watermark_image and studio.watermark_image):
        _watermark_image_replace(studio, watermark_image)
    studio.save(update_fields=[*values, "logo", "watermark_image"])
    after = {field: getattr(studio, field) for field in values}
    after["logo"] = _logo_label(studio)
    after["watermark_image"] = _file_label(studio.watermark_image)
    new_watermark = studio_watermark(studio)
    with schema_context(studio.schema_name):
        changes = audit_changes(before=before, after=after)
        if changes:
            audit_record(actor=actor, kind=AuditKind.STUDIO_SETTINGS_CHANGED, changes=changes)
            versions_bump("gallery")  # the galleries show prices in the studio's currency
        if new_watermark.identity != old_watermark:
            watermark_rerender_start(watermark=new_watermark.identity)
    return studio


def _logo_label(studio: Studio) -> str | None:
    """The logo as the audit log names it: its file's name (a new upload gets a new one)."""
    return _file_label(studio.logo)


def _file_label(field) -> str | None:
    return field.name.rsplit("/", 1)[-1] if field else None


def watermark_rerender_start(*, watermark: str) -> WatermarkRerender:
    """Queues the re-rendering of every ready photo's preview (in the current schema), after
    commit; ``watermark`` is the new version's ``WatermarkSpec.identity``. An earlier unfinished run is superseded: it stops at its next photo."""
    from .tasks import rerender_watermarks  # noqa: PLC0415 - tasks import this module

    ready = Photo.objects.filter(status=PhotoStatus.READY)
    job = WatermarkRerender.objects.create(
        watermark=watermark,
        total=ready.count(),
        up_to_photo_id=ready.aggregate(last=Max("pk"))["last"] or 0,
    )
    rerender_watermarks.enqueue_on_commit(job.pk)
    return job


def watermark_rerender_run(*, job_id: int) -> WatermarkRerender:
    """Re-renders the job's photos one by one, in id order, recording progress after each;
    a finished or superseded job does nothing, so running it twice is harmless."""
    job = WatermarkRerender.objects.get(pk=job_id)
    if job.is_finished:
        return job
    photo_ids = (
        Photo.objects.filter(
            status=PhotoStatus.READY, pk__gt=job.last_photo_id, pk__lte=job.up_to_photo_id
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for photo_id in photo_ids.iterator():
        if WatermarkRerender.objects.filter(pk__gt=job.pk).exists():
            break  # the watermark changed again; the newer job renders everything
        photo_process(photo_id=photo_id, rerender=True)
        WatermarkRerender.objects.filter(pk=job.pk).update(
            last_photo_id=photo_id, done=F("done") + 1
        )
    WatermarkRerender.objects.filter(pk=job.pk, finished_at__isnull=True).update(
        finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def watermark_preview_render(
    *, studio: Studio, text: str | None, opacity: str | None, use_image: bool
) -> bytes:
    """The settings page's live preview: a generated sample photo with the studio's
    watermark, ``text`` and ``opacity`` (as typed, not yet saved) replacing the saved ones.
    An opacity that is not a number in range, or absent, falls back to the saved one."""
    low, high = imaging.WATERMARK_OPACITY_RANGE
    try:
        value = int(opacity) if opacity not in (None, "") else None
    except ValueError:
        value = None
    if value is not None and not low <= value <= high:
        value = None
    spec = studio_watermark(
        studio, text=None if text is None else text[:60], opacity=value, image=use_image
    )
    return imaging.render_watermark_sample(spec)
