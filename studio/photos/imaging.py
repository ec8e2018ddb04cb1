"""The image work of the photo pipeline: checking an uploaded original and making its
thumbnail and watermarked preview. Plain functions on file paths; no models, no database.

Engine: libvips through pyvips. A picture day is thousands of 24-megapixel camera JPEGs, and
making small copies of them is dominated by decoding. libjpeg can decode a JPEG directly at
1/2, 1/4 or 1/8 scale (*shrink-on-load*: it reads the DCT coefficients and skips most of the
inverse-DCT work, never building the full-resolution image), and libvips streams the decode in
strips, so memory stays small. ``pyvips.Image.thumbnail`` shrinks on load, but only when a
resize of at least 2× is left afterwards (its quality margin), so for a 6000×4000 original and
a 1600 px preview (3.75×) it would decode all 24 megapixels. For JPEG we therefore choose the
scale ourselves: the smallest libjpeg scale whose long side is still at least PREVIEW_PX
(6000 → 3000), then ``thumbnail_image`` does the rest of the resize, the EXIF rotation and the
colour conversion. That decode is about a fifth faster, and the preview differs from one made
from a full-resolution decode by less than JPEG encoding does (about 44 dB PSNR). Other formats
go through ``pyvips.Image.thumbnail_source`` (WebP and HEIF have their own shrink-on-load).
HEVC-coded HEIC (every iPhone photo) is the exception: the libheif inside pyvips-binary has no
HEVC decoder, so when libvips says so the file is decoded by pillow-heif (its wheel ships
libde265) and the pixels, with their ICC profile, go through libvips from memory.
Both outputs come from that one decode: the preview-size image is kept in memory, the
thumbnail is resized from it, and then the preview is watermarked.

Checks, in order of cost:

* ``inspect_original`` reads only the first bytes (to tell the format from its signature,
  never from the file name), the header (size, orientation, EXIF), and for JPEG its marker
  structure (to spot an upload that was cut off, and where the image ends when a phone
  appended a motion photo's video after it). Nothing is decoded, so a decompression bomb
  (a tiny file whose header claims 20000×20000 pixels) is turned away before any work.
* ``render_derivatives`` repeats the signature and pixel checks (it may be handed a file that
  was never inspected) and decodes with libvips' ``fail_on`` so damaged data raises
  ``RejectedImage("corrupt")`` instead of ending up as grey or smeared blocks in the preview.
  For JPEG that needs ``fail_on="warning"``: libjpeg reports damaged entropy-coded data
  ("Corrupt JPEG data: premature end of data segment", "bad Huffman code") as *warnings*,
  which ``fail_on="error"`` lets through. The price is that the rare JPEG a sloppy encoder
  wrote with a harmless warning is also refused; re-exporting it fixes that.

Outputs are sRGB JPEGs with no metadata at all: no EXIF (so no GPS position of a school), no
XMP, IPTC or ICC profile (pixels are converted to sRGB first, which is what browsers assume
for untagged images). Rendering is deterministic, so processing a photo again after a worker
died produces byte-identical files.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import logging
import math
import mmap
import os
import re
import struct
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pillow_heif
import pyvips
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_PIXELS = 100_000_000  # decompression-bomb guard, checked from the header before decoding
THUMBNAIL_PX = 400  # longest side
PREVIEW_PX = 1600  # longest side
SUPPORTED_FORMATS = {"jpeg", "png", "heif", "webp", "tiff"}

PREVIEW_QUALITY = 85
THUMBNAIL_QUALITY = 80

_HEAD_BYTES = 4096  # enough for every signature below, SVG's XML prologue included
_JPEG_TAIL_BYTES = 64 * 1024  # trailing padding after EOI that we are willing to skip
_JPEG_PADDING = b"\x00 \t\r\n"
_KEEP_NOTHING = pyvips.enums.ForeignKeep.NONE

# pyvips forwards every libvips step ("selected loader", "residual reducev"...) at INFO, and
# the project's root logger prints INFO: keep them out unless LOGGING configures "pyvips".
if logging.getLogger("pyvips").level == logging.NOTSET:
    logging.getLogger("pyvips").setLevel(logging.WARNING)

# Watermark look: white text at this opacity over a blurred dark halo at that opacity, so it
# reads on snow and on a black gown alike; text height and spacing relative to the long side.
_WATERMARK_FONT = "sans bold"
_WATERMARK_TEXT_OPACITY = 0.45
_WATERMARK_HALO_OPACITY = 0.40
_WATERMARK_TEXT_HEIGHT = 0.035
_WATERMARK_GAP_X = 1.5  # between repetitions along a line, in text heights
_WATERMARK_GAP_Y = 0.9  # between lines
_WATERMARK_ANGLE = -30  # degrees; negative rises left to right
_WATERMARK_MAX_CHARS = 120
_WATERMARK_IMAGE_SIZE = 0.22  # each copy of an image watermark fits this share of the side
_WATERMARK_IMAGE_GAP = 0.6  # between copies, in copy sizes
WATERMARK_OPACITY_RANGE = (10, 80)  # per cent
WATERMARK_OPACITY_DEFAULT = round(_WATERMARK_TEXT_OPACITY * 100)


def _interpolate(message, params):
    return message % params


_lazy_interpolate = lazy(_interpolate, str)


def _message(message, **params):
    """``message % params``, translated when displayed (in the reader's language)."""
    return _lazy_interpolate(message, params) if params else message


class RejectedImage(Exception):
    """An upload that cannot become a photo. ``code`` is one of ``'not_image'``,
    ``'unsupported'``, ``'too_large'``, ``'too_many_pixels'``, ``'truncated'``, ``'corrupt'``;
    ``message`` is a translatable sentence for the person who uploaded it."""

    def __init__(self, code: str, message):
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int  # as displayed, i.e. after EXIF orientation
    height: int
    captured_at: datetime | None  # EXIF DateTimeOriginal, naive (EXIF has no time zone)
    # A JPEG carrying data after its image (a phone's "motion photo" video): the image's
    # length in bytes, what is worth storing. None when the file is the image and no more.
    image_bytes: int | None = None


@dataclass(frozen=True)
class Derivatives:
    thumbnail: bytes  # JPEG, longest side THUMBNAIL_PX, no metadata
    preview: bytes  # JPEG, longest side PREVIEW_PX, watermarked, no metadata
    width: int  # of the oriented original
    height: int


# --- recognising the file -------------------------------------------------------------------

_HEIF_BRANDS = {
    b"heic",
    b"heix",
    b"heim",
    b"heis",
    b"hevc",
    b"hevx",
    b"hevm",
    b"hevs",
    b"mif1",
    b"mif2",
    b"msf1",
    b"avif",
    b"avis",
}
_DIB = (12, 16, 40, 52, 56, 64, 108, 124)
_RAW = "raw"  # camera raw: a format of its own, with its own message


def _not_image():
    return RejectedImage("not_image", _("This file is not an image."))


def _unsupported(label: str):
    if label == _RAW:
        return RejectedImage(
            "unsupported",
            _(
                "Camera raw files are not supported. Please export JPEG photos from your "
                "editing software and upload those."
            ),
        )
    return RejectedImage(
        "unsupported",
        _message(
            _(
                "%(format)s files are not supported. Please upload JPEG photos "
                "(PNG, WebP, TIFF and HEIF are accepted too)."
            ),
            format=label,
        ),
    )


def _sniff(head: bytes, handle) -> str:
    """The format named by the file's signature, one of SUPPORTED_FORMATS; raises
    RejectedImage for anything else. ``handle`` is the open file, for TIFF's first directory."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        box_size = int.from_bytes(head[:4], "big")
        brands = {head[8:12]} | {
            head[i : i + 4] for i in range(16, min(max(box_size, 16), len(head)) - 3, 4)
        }
        if b"crx " in brands:
            raise _unsupported(_RAW)  # Canon CR3
        if brands & _HEIF_BRANDS:
            return "heif"
        raise _not_image()  # MP4, MOV and other ISO media files
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        if _tiff_is_camera_raw(head, handle):
            raise _unsupported(_RAW)
        return "tiff"
    if head[:4] in (b"IIRO", b"IIRS", b"MMOR", b"IIU\x00") or head.startswith(b"FUJIFILM"):
        raise _unsupported(_RAW)  # Olympus ORF, Panasonic RW2, Fujifilm RAF
    label = _unsupported_label(head)
    if label:
        raise _unsupported(label)
    raise _not_image()


def _unsupported_label(head: bytes) -> str | None:
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    # BMP: the DIB header that follows the 14-byte file header has one of a few sizes.
    if head[:2] == b"BM" and len(head) >= 18 and struct.unpack_from("<I", head, 14)[0] in _DIB:
        return "BMP"
    if head.startswith(b"%PDF-"):
        return "PDF"
    if head.startswith(b"8BPS"):
        return "PSD"
    if head.startswith((b"\xff\x4f\xff\x51", b"\x00\x00\x00\x0cjP  \r\n\x87\n")):
        return "JPEG 2000"
    if head.startswith((b"\xff\x0a", b"\x00\x00\x00\x0cJXL \r\n\x87\n")):
        return "JPEG XL"
    if head[:4] == b"\x00\x00\x01\x00" and len(head) >= 6 and head[4] | head[5]:
        return "ICO"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<svg") or (
        text.startswith((b"<?xml", b"<!doctype svg")) and b"<svg" in text
    ):
        return "SVG"
    return None


def _tiff_is_camera_raw(head: bytes, handle) -> bool:
    """Camera raw files (CR2, NEF, ARW, DNG, PEF...) are TIFF containers whose first
    directory is a small preview; libvips would happily load that instead of the photo."""
    if head[8:10] == b"CR":
        return True  # Canon CR2
    if head[2:4] in (b"+\x00", b"\x00+"):
        return False  # BigTIFF: not used by cameras
    order = "<" if head[:2] == b"II" else ">"
    (offset,) = struct.unpack_from(order + "I", head, 4)
    handle.seek(offset)
    count_bytes = handle.read(2)
    if len(count_bytes) < 2:
        return False
    (count,) = struct.unpack(order + "H", count_bytes)
    entries = handle.read(12 * min(count, 512))
    for start in range(0, len(entries) - 11, 12):
        (tag,) = struct.unpack_from(order + "H", entries, start)
        if tag in (0x014A, 0xC612):  # SubIFDs (where raws keep the sensor data), DNGVersion
            return True
    return False


def _jpeg_ends_with_eoi(handle) -> bool:
    """Whether the JPEG's last bytes, ignoring padding, are the End Of Image marker."""
    end = handle.seek(0, os.SEEK_END)
    handle.seek(max(0, end - _JPEG_TAIL_BYTES))
    return handle.read().rstrip(_JPEG_PADDING).endswith(b"\xff\xd9")


# Markers without a length: TEM, RST0-7 (SOI and EOI are handled on their own).
_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}


def _jpeg_image_end(handle) -> int | None:
    """Where the JPEG's image ends (just after its End Of Image marker), found by walking its
    segments and scans, so whatever follows (the video of a phone's motion photo, a second
    image of a multi-picture file) is told from a file that was cut off; None when the data
    runs out before the end marker."""
    handle.seek(0)
    with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        size = len(data)
        if data[:2] != b"\xff\xd8":
            return None
        pos = 2
        while pos + 1 < size:
            if data[pos] != 0xFF:
                return None  # not a marker where one must be: damaged, not an image end
            marker = data[pos + 1]
            if marker == 0xFF:  # fill byte before a marker
                pos += 1
            elif marker == 0xD9:
                return pos + 2
            elif marker in _JPEG_STANDALONE:
                pos += 2
            else:
                if pos + 4 > size:
                    return None
                pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
                if marker == 0xDA:  # a scan: entropy-coded data up to the next real marker
                    pos = _jpeg_scan_end(data, pos)
        return None


def _jpeg_trailer_after(handle, end: int) -> bool:
    """Whether anything but padding follows the image's end at ``end``."""
    handle.seek(end)
    rest = handle.read(_JPEG_TAIL_BYTES + 1)
    return len(rest) > _JPEG_TAIL_BYTES or bool(rest.strip(_JPEG_PADDING))


def _jpeg_scan_end(data, pos: int) -> int:
    """The offset of the first marker after entropy-coded data starting at ``pos`` (0xFF
    followed by a stuffed 0x00 or a restart marker is still data), or the data's length."""
    size = len(data)
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= size:
            return size
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            pos += 2
        else:
            return pos


# --- reading the header ---------------------------------------------------------------------

_LOADERS = {
    "jpeg": "jpegload_source",
    "png": "pngload_source",
    "webp": "webpload_source",
    "tiff": "tiffload_source",
    "heif": "heifload_source",
}
_EXIF_DATETIME = re.compile(rb"^\s*(\d{4}):(\d\d):(\d\d)[ T](\d\d):(\d\d):(\d\d)")
_EXIF_SUBSEC = re.compile(rb"^\s*(\d{1,6})")


def _corrupt():
    return RejectedImage("corrupt", _("The image data is damaged and cannot be read."))


def _open_header(path, fmt: str) -> pyvips.Image:
    """The image with its header read and no pixels decoded (libvips decodes lazily)."""
    try:
        load = getattr(pyvips.Image, _LOADERS[fmt])
        return load(pyvips.Source.new_from_file(str(path)), access="sequential")
    except pyvips.Error as error:
        raise _corrupt() from error


def _field(image: pyvips.Image, name: str):
    return image.get(name) if image.get_typeof(name) else None


def _displayed_size(image: pyvips.Image) -> tuple[int, int]:
    orientation = _field(image, "orientation") or 1
    if orientation in (5, 6, 7, 8):  # rotated by 90° one way or the other
        return image.height, image.width
    return image.width, image.height


def _captured_at(image: pyvips.Image) -> datetime | None:
    """EXIF DateTimeOriginal (plus SubSecTimeOriginal), naive as EXIF stores it. libvips
    gives EXIF strings as "2024:05:14 09:30:12 (2024:05:14 09:30:12, ASCII, ...)"."""
    raw = _field(image, "exif-ifd2-DateTimeOriginal")
    if not raw:
        return None
    match = _EXIF_DATETIME.match(raw.encode() if isinstance(raw, str) else raw)
    if not match:
        return None  # blank ("    :  :     :  :  ") or garbled
    microsecond = 0
    subsec = _field(image, "exif-ifd2-SubSecTimeOriginal")
    if subsec:
        fraction = _EXIF_SUBSEC.match(subsec.encode() if isinstance(subsec, str) else subsec)
        if fraction:
            microsecond = int(fraction.group(1).decode().ljust(6, "0"))
    try:
        return datetime(*(int(part) for part in match.groups()), microsecond=microsecond)
    except ValueError:
        return None  # e.g. 0000:00:00 00:00:00


def _check_pixels(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise RejectedImage(
            "too_many_pixels",
            _message(
                _(
                    "The image is %(width)s × %(height)s pixels, more than the "
                    "%(limit)s megapixels we accept."
                ),
                width=width,
                height=height,
                limit=MAX_PIXELS // 1_000_000,
            ),
        )


def _read(path, *, size_bytes: int | None, full_checks: bool) -> ImageInfo:
    image_bytes = None
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size if size_bytes is None else size_bytes
        head = handle.read(_HEAD_BYTES)
        if size == 0 or not head:
            raise RejectedImage("not_image", _("The file is empty."))
        fmt = _sniff(head, handle)
        if full_checks:
            if size > MAX_FILE_BYTES:
                raise RejectedImage(
                    "too_large",
                    _message(
                        _("The file is %(size)s MB; the limit is %(limit)s MB."),
                        size=f"{size / 2**20:.1f}",
                        limit=MAX_FILE_BYTES // 2**20,
                    ),
                )
            if fmt == "jpeg":
                # Data after the image (a motion photo's video) is fine; a missing end is not.
                # A file ending in the end marker passes even when the walk loses its way in
                # damaged data: decoding judges that ("corrupt"), not this check.
                end = _jpeg_image_end(handle)
                if end is not None and _jpeg_trailer_after(handle, end):
                    image_bytes = end
                if end is None and not _jpeg_ends_with_eoi(handle):
                    raise RejectedImage(
                        "truncated",
                        _(
                            "The file is incomplete: the upload or copy was cut off. "
                            "Please upload it again."
                        ),
                    )
    header = _open_header(path, fmt)
    if full_checks:
        _check_pixels(header.width, header.height)
    width, height = _displayed_size(header)
    return ImageInfo(fmt, width, height, _captured_at(header), image_bytes)


def read_image_info(path: str | Path) -> ImageInfo:
    """Format, displayed size and capture time from the header, without the upload checks
    (size, pixel count, truncation) of ``inspect_original``. Raises RejectedImage only if the
    file is not a supported image at all or its header cannot be read."""
    return _read(path, size_bytes=None, full_checks=False)


def inspect_original(path: str | Path, *, size_bytes: int | None = None) -> ImageInfo:
    """Cheap checks before anything is stored, reading only the first bytes, the header and
    (JPEG) the last bytes. Raises RejectedImage: empty file or not an image → not_image;
    a format outside SUPPORTED_FORMATS (GIF, BMP, SVG, PDF, camera raw...) → unsupported;
    more than MAX_FILE_BYTES → too_large; width × height above MAX_PIXELS per the header →
    too_many_pixels; JPEG whose data ends before its EOI marker → truncated (data after the
    marker, such as a motion photo's video, is reported in ``image_bytes``, not refused).
    ``size_bytes``, when given, is used instead of the file's size on disk."""
    return _read(path, size_bytes=size_bytes, full_checks=True)


# --- rendering ------------------------------------------------------------------------------


def render_derivatives(path: str | Path, *, watermark: WatermarkSpec) -> Derivatives:
    """Thumbnail and watermarked preview from one shrink-on-load decode. Raises
    RejectedImage for files ``inspect_original`` would refuse on format or pixel count, and
    ``corrupt`` when the image data turns out to be damaged while decoding."""
    if not isinstance(watermark, WatermarkSpec):
        raise TypeError("render_derivatives needs a WatermarkSpec.")
    _watermark_text(watermark.text)
    with open(path, "rb") as handle:
        fmt = _sniff(handle.read(_HEAD_BYTES), handle)
    header = _open_header(path, fmt)
    _check_pixels(header.width, header.height)
    width, height = _displayed_size(header)

    preview = _decode_preview(path, fmt, header)
    thumbnail = preview.thumbnail_image(THUMBNAIL_PX, height=THUMBNAIL_PX, size="down")
    preview = _apply_watermark(preview, watermark)
    return Derivatives(
        thumbnail=thumbnail.jpegsave_buffer(
            Q=THUMBNAIL_QUALITY, optimize_coding=True, keep=_KEEP_NOTHING
        ),
        preview=preview.jpegsave_buffer(
            Q=PREVIEW_QUALITY, interlace=True, optimize_coding=True, keep=_KEEP_NOTHING
        ),
        width=width,
        height=height,
    )


def _decode_preview(path, fmt: str, header: pyvips.Image) -> pyvips.Image:
    """The oriented image, shrunk (never enlarged) to fit PREVIEW_PX, as 8-bit sRGB without
    alpha, decoded once into memory."""
    try:
        source = pyvips.Source.new_from_file(str(path))
        if fmt == "jpeg":
            # thumbnail() would decode a 6000×4000 JPEG at full size for a 1600 preview: it
            # only shrinks on load when a 2× resize is left after it. Decoding at the smallest
            # libjpeg scale still at least PREVIEW_PX looks the same and is ~20% faster.
            shrink = _jpeg_shrink(header.width, header.height)
            image = pyvips.Image.jpegload_source(
                source, shrink=shrink, fail_on="warning", access="sequential"
            ).thumbnail_image(PREVIEW_PX, height=PREVIEW_PX, size="down", **_colour(header))
            return _to_srgb8(image).copy_memory()  # the decode happens here
        return _thumbnail(source, header)
    except pyvips.Error as error:
        if fmt == "heif" and ("decoder plugin" in str(error) or "not been built in" in str(error)):
            # HEVC-coded HEIC (every iPhone photo): pyvips-binary's libheif has no HEVC decoder
            # (libde265), pillow-heif's wheel has one.
            tiff = _heif_decoded_as_tiff(path)
            try:
                return _thumbnail(pyvips.Source.new_from_memory(tiff), None)
            except pyvips.Error as again:
                raise _corrupt() from again
        raise _corrupt() from error


def _colour(header: pyvips.Image) -> dict:
    """Colour-managed images (an ICC profile, or CMYK) are converted to sRGB through their
    profile; the rest already are sRGB (or grey), and skip the costly transform."""
    if header.get_typeof("icc-profile-data") or header.interpretation == "cmyk":
        return {"output_profile": "srgb"}
    return {}


def _thumbnail(source: pyvips.Source, header: pyvips.Image | None) -> pyvips.Image:
    if header is None:
        header = pyvips.Image.new_from_source(source, "", access="sequential")
    image = pyvips.Image.thumbnail_source(
        source,
        PREVIEW_PX,
        height=PREVIEW_PX,
        size="down",
        # Not the fail_on= argument: libvips 8.18 ignores it here (checked).
        option_string="fail_on=error",
        **_colour(header),
    )
    return _to_srgb8(image).copy_memory()  # the decode happens here


def _heif_decoded_as_tiff(path) -> bytes:
    """The HEIF image decoded by pillow-heif (rotation and mirroring of the container applied,
    HDR brought to 8 bits), as an uncompressed TIFF in memory carrying its ICC profile, so
    libvips resizes and colour-converts it like any other photo. Nothing of its metadata but
    the profile goes along (no EXIF orientation to apply twice, no GPS)."""
    try:
        image = pillow_heif.open_heif(str(path), convert_hdr_to_8bit=True).to_pillow()
        buffer = io.BytesIO()
        profile = image.info.get("icc_profile")
        image.save(buffer, format="TIFF", **({"icc_profile": profile} if profile else {}))
    except (ValueError, RuntimeError, OSError) as error:
        raise _corrupt() from error
    return buffer.getvalue()


def _jpeg_shrink(width: int, height: int) -> int:
    """The largest libjpeg scale-down (1/2, 1/4, 1/8) that keeps the long side ≥ PREVIEW_PX."""
    long_side = max(width, height)
    return next((f for f in (8, 4, 2) if long_side // f >= PREVIEW_PX), 1)


def _to_srgb8(image: pyvips.Image) -> pyvips.Image:
    """3-band 8-bit sRGB without alpha. Colour profiles were already dealt with by thumbnail's
    ``output_profile="srgb"`` (CMYK without a profile through libvips' fallback CMYK profile);
    this converts what is left (16-bit, grey) and flattens transparency on white."""
    if image.interpretation != "srgb" or image.format != "uchar":
        image = image.colourspace("srgb")
    if image.hasalpha():
        image = image.flatten(background=[255, 255, 255])
    if image.bands > 3:
        image = image.extract_band(0, n=3)
    if image.format != "uchar":
        image = image.cast("uchar")
    return image


# --- watermark ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WatermarkSpec:
    """What is drawn over a preview: ``image`` (PNG bytes) when given, else ``text``, at
    ``opacity`` per cent (WATERMARK_OPACITY_RANGE). Hashable, so patterns are cached by it;
    ``identity`` names the version (a changed identity re-renders the previews)."""

    text: str
    image: bytes | None = None
    opacity: int = WATERMARK_OPACITY_DEFAULT

    def __post_init__(self):
        low, high = WATERMARK_OPACITY_RANGE
        if not low <= self.opacity <= high:
            raise ValueError(f"Watermark opacity {self.opacity} is outside {low}–{high}.")

    @functools.cached_property
    def identity(self) -> str:
        digest = hashlib.sha256()
        if self.image is not None:
            digest.update(b"image\0" + hashlib.sha256(self.image).digest())
        else:
            digest.update(b"text\0" + " ".join(self.text.split()).encode())
        digest.update(f"\0{self.opacity}".encode())
        return digest.hexdigest()[:16]


def _watermark_text(watermark: str) -> str:
    text = " ".join((watermark or "").split())[:_WATERMARK_MAX_CHARS]
    if not text:
        raise ValueError("A preview needs a watermark text.")
    return text


def _apply_watermark(image: pyvips.Image, watermark: WatermarkSpec) -> pyvips.Image:
    side = max(image.width, image.height)
    if watermark.image is not None:
        pattern = _image_pattern(watermark.image, watermark.opacity, side)
    else:
        pattern = _watermark_pattern(_watermark_text(watermark.text), watermark.opacity, side)
    overlay = pattern.crop(
        (side - image.width) // 2, (side - image.height) // 2, image.width, image.height
    )
    return image.composite2(overlay, "over").extract_band(0, n=3).cast("uchar")


@functools.lru_cache(maxsize=8)
def _watermark_pattern(text: str, opacity: int, side: int) -> pyvips.Image:
    """A side × side RGBA layer with ``text`` repeated diagonally all over it, in memory.
    Every preview with that long side (nearly all are PREVIEW_PX) crops its own size out of
    the middle, so a studio's pattern is built once per process. The halo keeps its ratio
    to the text's opacity (the default 45 % is the original look)."""
    text_height = max(8, round(side * _WATERMARK_TEXT_HEIGHT))
    ink = pyvips.Image.text(
        html.escape(text, quote=False),  # text() reads Pango markup: "Smith & Sons" needs &amp;
        font=_WATERMARK_FONT,
        width=side,
        height=text_height,
        wrap="none",
    )
    if ink.max() == 0:
        # No font could draw it: refuse rather than publish previews without a watermark.
        raise RuntimeError(f"The watermark {text!r} rendered as nothing; are fonts installed?")
    margin = max(2, text_height // 4)
    ink = ink.embed(margin, margin, ink.width + 2 * margin, ink.height + 2 * margin)
    halo = (ink.gaussblur(max(0.8, text_height / 22)) * 3).cast("uchar")
    layers = ink.bandjoin(halo)

    # One cell per repetition; every other row shifted by half a cell, like bricks.
    cell = layers.embed(
        0,
        0,
        layers.width + round(text_height * _WATERMARK_GAP_X),
        layers.height + round(text_height * _WATERMARK_GAP_Y),
    )
    bricks = cell.join(cell.wrap(x=cell.width // 2, y=0), "vertical")
    reach = math.ceil(side * math.sqrt(2)) + 2 * cell.width  # covers the square once turned
    plane = bricks.replicate(math.ceil(reach / bricks.width), math.ceil(reach / bricks.height))
    plane = plane.crop(0, 0, reach, reach).rotate(
        _WATERMARK_ANGLE, interpolate=pyvips.Interpolate.new("bilinear")
    )
    plane = plane.crop((plane.width - side) // 2, (plane.height - side) // 2, side, side)

    # White text over a dark halo, merged into one layer ("over" of the two, by hand).
    text_opacity = opacity / 100
    halo_opacity = min(1.0, text_opacity * _WATERMARK_HALO_OPACITY / _WATERMARK_TEXT_OPACITY)
    fractions = plane.cast("float") / 255
    text_alpha = fractions[0] * text_opacity
    halo_alpha = fractions[1] * halo_opacity
    alpha = text_alpha + halo_alpha * (1 - text_alpha)
    grey = text_alpha * 255 / (alpha + 1e-6)
    layer = grey.bandjoin([grey, grey, alpha * 255]).cast("uchar")
    return layer.copy(interpretation="srgb").copy_memory()


@functools.lru_cache(maxsize=8)
def _image_pattern(png: bytes, opacity: int, side: int) -> pyvips.Image:
    """A side × side RGBA layer with the studio's PNG repeated in a grid centred on the
    middle, each copy _WATERMARK_IMAGE_SIZE of the side wide (never enlarged past twice its
    pixels), its own transparency times ``opacity``."""
    try:
        logo = pyvips.Image.new_from_buffer(png, "", access="sequential", fail_on="error")
        logo = _to_srgba8(logo).copy_memory()  # decoded here, so damage raises here
    except pyvips.Error as error:
        raise _corrupt() from error
    box = max(8, round(side * _WATERMARK_IMAGE_SIZE))
    scale = min(box / logo.width, box / logo.height, 2.0)
    logo = logo.resize(scale) if scale != 1 else logo
    gap = max(4, round(box * _WATERMARK_IMAGE_GAP))
    cell = logo.embed(gap // 2, gap // 2, logo.width + gap, logo.height + gap)
    across = math.ceil(side / cell.width) + 2
    down = math.ceil(side / cell.height) + 2
    plane = cell.replicate(across, down)
    # Centre one copy on the middle of the square.
    left = (plane.width - side) // 2 + (plane.width // 2) % cell.width - cell.width // 2
    top = (plane.height - side) // 2 + (plane.height // 2) % cell.height - cell.height // 2
    left = max(0, min(left, plane.width - side))
    top = max(0, min(top, plane.height - side))
    plane = plane.crop(left, top, side, side)
    alpha = (plane[3].cast("float") * (opacity / 100)).cast("uchar")
    return plane.extract_band(0, n=3).bandjoin(alpha).copy(interpretation="srgb").copy_memory()


def _to_srgba8(image: pyvips.Image) -> pyvips.Image:
    """4-band 8-bit sRGB with alpha (opaque when the PNG had none)."""
    if image.interpretation not in ("srgb", "b-w") or image.format != "uchar":
        image = image.colourspace("srgb")
    if image.bands in (1, 2):  # grey (with alpha)
        image = image.colourspace("srgb")
    if not image.hasalpha():
        image = image.bandjoin(255)
    if image.format != "uchar":
        image = image.cast("uchar")
    return image.extract_band(0, n=4)


def render_watermark_sample(
    watermark: WatermarkSpec, *, width: int = 480, height: int = 320
) -> bytes:
    """A generated sample photo (a sky-to-meadow gradient with a soft sun) with the
    watermark drawn as on a preview of that size: the settings page's live preview."""
    x = pyvips.Image.xyz(width, height)
    fx = x[0].cast("float") / max(1, width - 1)
    fy = x[1].cast("float") / max(1, height - 1)
    red = fx * 90 + fy * 60 + 60
    green = (1 - fy) * 120 + fy * 150 + 30
    blue = (1 - fy) * 200 + 40
    cx, cy = width * 0.72, height * 0.3
    distance = ((x[0] - cx) ** 2 + (x[1] - cy) ** 2) ** 0.5
    sun = (distance < min(width, height) * 0.18).ifthenelse(90, 0)
    image = (red.bandjoin([green, blue]) + sun).cast("uchar").copy(interpretation="srgb")
    return _apply_watermark(image, watermark).jpegsave_buffer(
        Q=PREVIEW_QUALITY, optimize_coding=True, keep=_KEEP_NOTHING
    )


def render_review(path: str | Path) -> bytes:
    """A preview-size JPEG without watermark or metadata, for staff comparing an original
    with its retouched version (full-size files are tens of megabytes each)."""
    with open(path, "rb") as handle:
        fmt = _sniff(handle.read(_HEAD_BYTES), handle)
    header = _open_header(path, fmt)
    _check_pixels(header.width, header.height)
    return _decode_preview(path, fmt, header).jpegsave_buffer(
        Q=PREVIEW_QUALITY, optimize_coding=True, keep=_KEEP_NOTHING
    )
