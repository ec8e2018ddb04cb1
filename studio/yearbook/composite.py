"""Class composites: the class's chosen portraits in a grid with each child's first and last
name under them, a header in the studio's colour with its logo and name, the title, school,
class, teacher and school year. Drawn with Pillow in DejaVu (Cyrillic names), at print
resolution (10×8 in at 300 dpi), and stored as a group photo of the class so the normal
pipeline makes its thumbnail and watermarked preview and the shop sells it like any photo.
Children whose photos may not be published ("do not publish", consent withdrawn) are left
out, as galleries leave them out; the photo is tagged to the children drawn."""

import hashlib
import io
import logging
import math
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pillow_heif
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from PIL import Image, ImageColor, ImageDraw, ImageFont, ImageOps

from saas_platform import pdf_fonts
from saas_platform.accounts.models import User
from studio.photos.models import Photo, PhotoStatus, PhotoVersion
from studio.photos.services.processing import photo_process
from tenants.selectors import current_studio

from .models import Composite, JobStatus
from .pspa import photo_source
from .selectors import class_pose_photos

log = logging.getLogger(__name__)
pillow_heif.register_heif_opener()

WIDTH, HEIGHT = 3000, 2400  # 10×8 in at 300 dpi, landscape
MARGIN = 90
HEADER = 330
FOOTER = 110
PORTRAIT_RATIO = 0.8  # width / height, the yearbook portrait's 4:5
GREY = (110, 110, 110)
INK = (25, 25, 25)


def font_file(bold: bool = False) -> str:
    """DejaVu, found where the PDFs find it (``saas_platform.pdf_fonts``)."""
    name = pdf_fonts.FONTS[pdf_fonts.BOLD if bold else pdf_fonts.SANS]
    configured = getattr(settings, "ACCESS_CARD_FONT_DIR", "")
    for folder in ([configured] if configured else []) + pdf_fonts.FONT_DIRS:
        path = Path(folder) / name
        if path.is_file():
            return str(path)
    raise pdf_fonts.PdfFontMissing(f"{name} is missing: install fonts-dejavu-core")


@dataclass
class Cell:
    student_id: int
    name: tuple[str, str]
    photo_box: tuple[int, int, int, int]
    name_box: tuple[int, int, int, int]
    has_photo: bool


@dataclass
class Layout:
    columns: int
    rows: int
    cells: list[Cell] = field(default_factory=list)


def grid(count: int, *, width: int, height: int, name_height: int) -> tuple[int, int, int, int]:
    """(columns, rows, portrait width, portrait height) giving the largest portraits that fit
    ``count`` cells (each a portrait and its name) in ``width`` × ``height``."""
    best = (1, max(count, 1), 0, 0)
    for columns in range(1, max(count, 1) + 1):
        rows = math.ceil(max(count, 1) / columns)
        cell_w = width / columns
        cell_h = height / rows
        portrait_w = min(cell_w * 0.88, (cell_h - name_height) * 0.92 * PORTRAIT_RATIO)
        if portrait_w > best[2]:
            best = (columns, rows, int(portrait_w), int(portrait_w / PORTRAIT_RATIO))
    return best


def _fit(draw, text: str, *, bold: bool, size: int, width: int):
    """The font at ``size`` or smaller so that ``text`` fits ``width``."""
    while True:
        font = ImageFont.truetype(font_file(bold), size)
        if size <= 10 or draw.textlength(text, font=font) <= width:
            return font
        size -= 2


def _portrait(photo: Photo, width: int, height: int) -> Image.Image:
    with photo_source(photo).open("rb") as handle, Image.open(handle) as image:
        image.draft("RGB", (width * 2, height * 2))  # JPEG: decode at a fraction of the size
        upright = ImageOps.exif_transpose(image).convert("RGB")
        return ImageOps.fit(
            upright, (width, height), Image.Resampling.LANCZOS, centering=(0.5, 0.35)
        )


def _logo(studio, height: int) -> Image.Image | None:
    if not studio.logo:
        return None
    try:
        with studio.logo.open("rb") as handle, Image.open(handle) as image:
            logo = image.convert("RGBA")
            logo.thumbnail((height * 3, height))
            return logo
    except OSError:
        log.warning("the studio's logo could not be read for a composite")
        return None


def _on(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    """Black or white, whichever reads on ``colour``."""
    r, g, b = colour[:3]
    return (255, 255, 255) if (0.299 * r + 0.587 * g + 0.114 * b) < 150 else INK


def render_composite(
    *, studio, shoot, school_class, title: str, pairs, comment: str = ""
) -> tuple[bytes, Layout]:
    """The composite as a JPEG, and where each child's portrait and name were drawn.
    ``comment`` goes into the JPEG: the same drawing generated twice is still a new file."""
    canvas = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(canvas)
    try:
        brand = ImageColor.getrgb(studio.brand_color or "#2563eb")
    except ValueError:
        brand = (37, 99, 235)
    text_on_brand = _on(brand)
    draw.rectangle((0, 0, WIDTH, HEADER), fill=brand)
    left = MARGIN
    logo = _logo(studio, HEADER - 2 * 60)
    if logo is not None:
        canvas.paste(logo, (MARGIN, (HEADER - logo.height) // 2), logo)
        left += logo.width + 50
    heading = title or f"{school_class.name} · {school_class.school_year}"
    draw.text(
        (left, 70),
        heading,
        font=_fit(draw, heading, bold=True, size=110, width=WIDTH - left - MARGIN),
        fill=text_on_brand,
    )
    # Under a title of the studio's: school, class and year; under the default one (the
    # class and year already), the school alone.
    parts = (shoot.school.name, school_class.name, school_class.school_year) if title else ()
    sub = " · ".join(part for part in parts if part) or shoot.school.name
    draw.text(
        (left, 215),
        sub,
        font=_fit(draw, sub, bold=False, size=64, width=WIDTH - left - MARGIN),
        fill=text_on_brand,
    )
    footer_y = HEIGHT - FOOTER + 25
    small = ImageFont.truetype(font_file(False), 48)
    if school_class.teacher:
        draw.text((MARGIN, footer_y), school_class.teacher, font=small, fill=INK)
    draw.text((WIDTH - MARGIN, footer_y), studio.name, font=small, fill=brand, anchor="ra")
    draw.rectangle((0, HEIGHT - 16, WIDTH, HEIGHT), fill=brand)

    area_top, area_bottom = HEADER + 50, HEIGHT - FOOTER - 20
    area_w, area_h = WIDTH - 2 * MARGIN, area_bottom - area_top
    count = len(pairs)
    probe = max(18, min(60, area_h // max(1, math.ceil(math.sqrt(max(count, 1)))) // 9))
    name_h = int(probe * 2.6)
    columns, rows, pw, ph = grid(count, width=area_w, height=area_h, name_height=name_h)
    layout = Layout(columns, rows)
    cell_w, cell_h = area_w / columns, area_h / rows
    for index, (student, photo) in enumerate(pairs):
        row, column = divmod(index, columns)
        in_row = min(columns, count - row * columns)
        offset = (columns - in_row) * cell_w / 2  # the last row is centred
        x = int(MARGIN + offset + column * cell_w + (cell_w - pw) / 2)
        y = int(area_top + row * cell_h + (cell_h - ph - name_h) / 2)
        box = (x, y, x + pw, y + ph)
        if photo is not None:
            canvas.paste(_portrait(photo, pw, ph), (x, y))
        else:
            draw.rectangle(box, fill=(228, 228, 228))
        first, last = student.first_name, student.last_name
        centre = x + pw // 2
        name_top = y + ph + int(probe * 0.3)
        draw.text(
            (centre, name_top),
            first,
            font=_fit(draw, first, bold=True, size=probe, width=int(cell_w * 0.96)),
            fill=INK,
            anchor="ma",
        )
        draw.text(
            (centre, name_top + int(probe * 1.15)),
            last,
            font=_fit(draw, last, bold=False, size=probe, width=int(cell_w * 0.96)),
            fill=GREY,
            anchor="ma",
        )
        name_box = (int(centre - cell_w / 2), name_top, int(centre + cell_w / 2), y + ph + name_h)
        layout.cells.append(Cell(student.pk, (first, last), box, name_box, photo is not None))
    out = io.BytesIO()
    canvas.save(out, "JPEG", quality=92, dpi=(300, 300), optimize=True, comment=comment.encode())
    return out.getvalue(), layout


def _stored(composite: Composite, data: bytes):
    """Puts the new image in place: the composite's photo is created the first time; later
    generations become its approved version (every version is kept, orders keep the photo)."""
    digest = hashlib.sha256(data).hexdigest()
    name = f"composite-{composite.school_class.name}-{composite.generation}.jpg"
    photo = composite.photo
    if photo is None:
        photo = Photo(
            shoot=composite.shoot,
            school_class=composite.school_class,
            is_group=True,
            original_name=f"composite-{composite.school_class.name}.jpg",
            content_hash=digest,
            size_bytes=len(data),
            photographer=composite.updated_by,
            width=WIDTH,
            height=HEIGHT,
        )
        photo.original.save(name, ContentFile(data), save=False)
        photo.save()
        composite.photo = photo
        return photo, False
    number = (photo.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PhotoVersion(
        photo=photo,
        number=number,
        file_name=name,
        content_hash=digest,
        uploaded_by=composite.updated_by,
    )
    version.file.save(name, ContentFile(data), save=False)
    version.save()
    Photo.objects.filter(pk=photo.pk).update(approved_version=version, width=WIDTH, height=HEIGHT)
    return photo, True


def _earlier_files(photo: Photo | None) -> list[tuple[object, str]]:
    """(storage, name) of every file an earlier drawing left: the original, the versions,
    their thumbnail and preview, and the staff's review-size copies."""
    if photo is None:
        return []
    photo.refresh_from_db()
    files = [(photo.original.storage, photo.original.name)]
    versions = list(photo.versions.all())
    files += [(v.file.storage, v.file.name) for v in versions]
    files += [(f.storage, f.name) for f in (photo.thumbnail, photo.preview) if f.name]
    # Each earlier drawing's thumbnail and preview, under the names processing gives them.
    base = f"derived/shoot-{photo.shoot_id}/{photo.pk}"
    for suffix in ["", *(f"-v{v.number}" for v in versions)]:
        for rendition in ("thumb", "preview"):
            files.append((photo.thumbnail.storage, f"{base}{suffix}-{rendition}.jpg"))
    composite = Composite.objects.filter(photo=photo).first()
    for generation in range(1, (composite.generation if composite else 0) + 1):
        files.append((photo.original.storage, f"review/composite-{photo.pk}-{generation}.jpg"))
    return files


def _forget_earlier(photo: Photo, files, data: bytes, name: str) -> None:
    """After an erasure: the new drawing becomes the photo's original and only version, and
    every file of the earlier drawings (which show the erased child) is deleted."""
    photo.refresh_from_db()
    keep = photo.approved_version_id
    photo.original.save(name, ContentFile(data), save=False)
    Photo.objects.filter(pk=photo.pk).update(
        original=photo.original.name,
        content_hash=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
    )
    photo.versions.exclude(pk=keep).delete()
    kept = {photo.original.name, photo.thumbnail.name, photo.preview.name}
    kept |= {v.file.name for v in photo.versions.all()}
    for storage, file_name in files:
        if file_name and file_name not in kept and storage.exists(file_name):
            storage.delete(file_name)


def composite_build(*, composite_id: int, forget: bool = False) -> Composite:
    """The task's body: draws the composite from the chosen poses and stores it; the photo's
    thumbnail and watermarked preview are then made as for any photo. ``forget`` (a child
    was erased) also deletes every file of the earlier drawings."""
    composite = Composite.objects.select_related(
        "shoot__school", "school_class", "photo", "updated_by"
    ).get(pk=composite_id)
    earlier = _earlier_files(composite.photo) if forget else []
    Composite.objects.filter(pk=composite.pk).update(status=JobStatus.RUNNING, error="")
    pairs = [
        (student, photo)
        for student, photo in class_pose_photos(
            shoot=composite.shoot, school_class=composite.school_class, order=composite.order
        )
        if not student.is_hidden
    ]
    try:
        data, layout = render_composite(
            studio=current_studio(),
            shoot=composite.shoot,
            school_class=composite.school_class,
            title=composite.title,
            pairs=pairs,
            comment=f"pictureday composite {composite.pk} {uuid.uuid4().hex}",
        )
        with transaction.atomic():
            # Two drawings finishing at once (a double "Regenerate") are stored one after the
            # other: one photo, versions numbered in turn.
            # The row alone is locked and read (a join's rows are not read again after the
            # wait), then what it points at.
            locked = Composite.objects.select_for_update().get(pk=composite.pk)
            locked.shoot, locked.school_class = composite.shoot, composite.school_class
            locked.updated_by = User.objects.get(pk=locked.updated_by_id)
            locked.generation += 1
            photo, rerender = _stored(locked, data)
            # Tagged to the children it shows, like any group photo: one hidden later (do not
            # publish, consent withdrawn) withdraws it from every gallery until regenerated.
            photo.students.set([student.pk for student, _photo in pairs])
            Composite.objects.filter(pk=composite.pk).update(
                photo=photo,
                generation=locked.generation,
                names=[" ".join(cell.name) for cell in layout.cells],
                updated_at=timezone.now(),
            )
        processed = photo_process(photo_id=photo.pk, rerender=rerender)
        if forget and earlier:
            _forget_earlier(photo, earlier, data, f"composite-{composite.pk}-erased.jpg")
        # Ready once its thumbnail and preview are: then it is on sale like any photo.
        if processed.status == PhotoStatus.READY:
            Composite.objects.filter(pk=composite.pk).update(status=JobStatus.READY)
        else:
            Composite.objects.filter(pk=composite.pk).update(
                status=JobStatus.FAILED, error=processed.failure_reason[:300]
            )
    except Exception as error:
        log.exception("composite %s failed", composite.pk)
        Composite.objects.filter(pk=composite.pk).update(
            status=JobStatus.FAILED, error=str(error)[:300]
        )
        raise
    composite.refresh_from_db()
    return composite
