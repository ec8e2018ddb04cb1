"""The image pipeline on real files: checks before storing, and the derived thumbnail and
watermarked preview (size, orientation, no metadata, watermark everywhere, determinism)."""

import io
import pickle
import random
import struct
import subprocess
import sys
import zlib
from datetime import datetime
from pathlib import Path

import pytest
import pyvips
from PIL import Image, ImageCms, TiffImagePlugin

from studio.photos import imaging
from studio.photos.imaging import (
    MAX_FILE_BYTES,
    MAX_PIXELS,
    PREVIEW_PX,
    THUMBNAIL_PX,
    Derivatives,
    ImageInfo,
    RejectedImage,
    inspect_original,
    read_image_info,
    render_derivatives,
    render_review,
)
from tests.studio.photos.images import iphone_heic

REPO = Path(__file__).resolve().parents[3]
WATERMARK_TEXT = "Sunshine Studio"
WATERMARK = imaging.WatermarkSpec(text=WATERMARK_TEXT)
TAKEN = datetime(2024, 5, 14, 9, 30, 12, 450000)


# --- making real images ---------------------------------------------------------------------


def textured(width: int, height: int, *, seed: int = 1, level: int = 128, sigma: int = 16):
    """8-bit sRGB: a colour gradient around ``level`` with Gaussian noise, never flat. The
    noise is a tile of at most 1024 × 1024 repeated, which keeps 24 megapixels quick."""
    xyz = pyvips.Image.xyz(width, height)
    across = xyz[0] * (100 / width) - 50
    down = xyz[1] * (100 / height) - 50
    ramps = [across + level, down + level, (across + down) / 2 + level]
    tile_w, tile_h = min(width, 1024), min(height, 1024)
    bands = []
    for i, ramp in enumerate(ramps):
        tile = pyvips.Image.gaussnoise(tile_w, tile_h, sigma=sigma, mean=0, seed=seed + i)
        noise = tile.replicate(-(-width // tile_w), -(-height // tile_h)).crop(0, 0, width, height)
        bands.append(ramp + noise)
    return bands[0].bandjoin(bands[1:]).cast("uchar").copy(interpretation="srgb")


def to_pillow(image: pyvips.Image) -> Image.Image:
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[image.bands]
    return Image.frombytes(mode, (image.width, image.height), image.write_to_memory())


def camera_exif(orientation: int = 6) -> Image.Exif:
    """What a camera writes: orientation, make/model, capture time and a GPS position."""
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation (274)
    exif[0x010F] = "Canon"
    exif[0x0110] = "EOS R6"
    photo = exif.get_ifd(0x8769)
    photo[0x9003] = "2024:05:14 09:30:12"  # DateTimeOriginal
    photo[0x9291] = "45"  # SubSecTimeOriginal
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 12.5)
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 39.0)
    return exif


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="51,30.2N" exif:GPSLongitude="0,7.65W"/></rdf:RDF></x:xmpmeta>'
)


def save_jpeg(path: Path, image: pyvips.Image, *, exif=None, quality=90, **extra) -> Path:
    exif = exif.tobytes() if exif is not None else b""  # (an Exif with only sub-IFDs is falsy)
    to_pillow(image).save(path, "JPEG", quality=quality, exif=exif, **extra)
    return path


def jpeg_segments(data: bytes) -> list[int]:
    """The marker codes of the segments before the first scan (SOS), in order."""
    assert data[:2] == b"\xff\xd8"
    position, markers = 2, []
    while True:
        assert data[position] == 0xFF
        marker = data[position + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")


def decoded(data: bytes) -> pyvips.Image:
    return pyvips.Image.new_from_buffer(data, "")


def mean_abs_diff(a: pyvips.Image, b: pyvips.Image) -> float:
    return (a.cast("float") - b.cast("float")).abs().avg()


def grid_diffs(a: pyvips.Image, b: pyvips.Image, n: int = 4) -> list[float]:
    """Mean absolute difference in each cell of an n × n grid."""
    diff = (a.cast("float") - b.cast("float")).abs()
    w, h = a.width // n, a.height // n
    return [diff.crop(col * w, row * h, w, h).avg() for row in range(n) for col in range(n)]


def unwatermarked(monkeypatch, path) -> Derivatives:
    monkeypatch.setattr(imaging, "_apply_watermark", lambda image, text: image)
    return render_derivatives(path, watermark=WATERMARK)


@pytest.fixture(scope="module")
def camera_jpeg(tmp_path_factory) -> Path:
    """A 6000×4000 q90 camera JPEG shot in portrait (orientation 6), with GPS in EXIF and
    XMP, an ICC profile and a comment."""
    path = tmp_path_factory.mktemp("camera") / "IMG_0001.JPG"
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    save_jpeg(
        path,
        textured(6000, 4000, sigma=12),
        exif=camera_exif(orientation=6),
        icc_profile=srgb,
        xmp=XMP,
        comment=b"School No. 5, 12 Elm Street",
    )
    return path


@pytest.fixture(scope="module")
def camera_derivatives(camera_jpeg) -> Derivatives:
    return render_derivatives(camera_jpeg, watermark=WATERMARK)


# --- the camera original --------------------------------------------------------------------


def test_camera_original_is_inspected_upright_with_its_capture_time(camera_jpeg):
    info = inspect_original(camera_jpeg)

    assert info == ImageInfo(format="jpeg", width=4000, height=6000, captured_at=TAKEN)
    assert info.captured_at.tzinfo is None
    assert read_image_info(camera_jpeg) == info


def test_camera_original_has_the_metadata_the_derivatives_must_lose(camera_jpeg):
    fields = pyvips.Image.new_from_file(str(camera_jpeg)).get_fields()

    assert {"exif-ifd3-GPSLatitude", "xmp-data", "icc-profile-data"} <= set(fields)


def test_derivatives_of_a_portrait_camera_jpeg_are_upright_and_sized(camera_derivatives):
    thumbnail = Image.open(io.BytesIO(camera_derivatives.thumbnail))
    preview = Image.open(io.BytesIO(camera_derivatives.preview))

    assert (camera_derivatives.width, camera_derivatives.height) == (4000, 6000)
    assert (thumbnail.format, thumbnail.mode, thumbnail.size) == ("JPEG", "RGB", (267, 400))
    assert (preview.format, preview.mode, preview.size) == ("JPEG", "RGB", (1067, 1600))
    assert max(thumbnail.size) == THUMBNAIL_PX
    assert max(preview.size) == PREVIEW_PX
    assert preview.info.get("progressive") == 1
    assert "progressive" not in thumbnail.info


@pytest.mark.parametrize("which", ["thumbnail", "preview"])
def test_derivatives_carry_no_metadata_at_all(camera_derivatives, which):
    data = getattr(camera_derivatives, which)
    pillow = Image.open(io.BytesIO(data))
    vips_fields = pyvips.Image.new_from_buffer(data, "").get_fields()

    assert len(pillow.getexif()) == 0
    assert (
        set(pillow.info) & {"exif", "xmp", "icc_profile", "photoshop", "comment", "adobe"} == set()
    )
    assert [f for f in vips_fields if f.startswith(("exif-", "xmp-", "iptc-", "icc-"))] == []
    # Only tables and the frame header (a JFIF APP0 at most): no other APPn, no COM.
    assert set(jpeg_segments(data)) <= {0xE0, 0xDB, 0xC4, 0xC0, 0xC2, 0xDD, 0xDA}
    assert b"Exif" not in data and b"GPS" not in data and b"Elm Street" not in data


def test_watermark_is_tiled_across_the_whole_preview(camera_jpeg, camera_derivatives, monkeypatch):
    clean = decoded(unwatermarked(monkeypatch, camera_jpeg).preview)
    marked = decoded(camera_derivatives.preview)

    cells = grid_diffs(marked, clean)  # 4 × 4 cells of 266 × 400
    patches = grid_diffs(marked, clean, n=8)  # 8 × 8 patches of 133 × 200, about a face

    assert len(cells) == 16
    assert min(cells) > 3, [round(c, 1) for c in cells]
    assert min(patches) > 1, [round(c, 1) for c in patches]
    assert grid_diffs(clean, clean) == [0.0] * 16


def test_thumbnail_is_made_before_watermarking(camera_jpeg, camera_derivatives, monkeypatch):
    clean = unwatermarked(monkeypatch, camera_jpeg)

    assert camera_derivatives.thumbnail == clean.thumbnail
    assert camera_derivatives.preview != clean.preview


@pytest.mark.parametrize(
    ("level", "direction"),
    [(30, "lighter"), (225, "darker")],
    ids=["dark photo: white text shows", "light photo: dark outline shows"],
)
def test_watermark_shows_on_dark_and_light_photos(tmp_path, monkeypatch, level, direction):
    path = save_jpeg(tmp_path / "p.jpg", textured(2400, 1600, level=level, sigma=6))
    marked = decoded(render_derivatives(path, watermark=WATERMARK).preview)
    clean = decoded(unwatermarked(monkeypatch, path).preview)

    change = marked.cast("float") - clean.cast("float")
    strong = (change > 40) if direction == "lighter" else (change < -40)

    assert strong.avg() / 255 > 0.02  # share of pixel values changed by more than 40 levels


def test_watermark_text_may_contain_markup_characters(tmp_path):
    path = save_jpeg(tmp_path / "p.jpg", textured(900, 600))

    derivatives = render_derivatives(
        path, watermark=imaging.WatermarkSpec(text="Smith & Sons <Photo> \u00a9 2026")
    )

    assert Image.open(io.BytesIO(derivatives.preview)).size == (900, 600)


@pytest.mark.parametrize("watermark", ["", "   \n "])
def test_a_preview_without_watermark_text_is_refused(tmp_path, watermark):
    path = save_jpeg(tmp_path / "p.jpg", textured(90, 60))

    with pytest.raises(ValueError, match="watermark"):
        render_derivatives(path, watermark=imaging.WatermarkSpec(text=watermark))


def watermark_png() -> bytes:
    """A half-transparent red bar with an opaque white stripe, as a studio's logo PNG."""
    image = Image.new("RGBA", (160, 60), (200, 30, 60, 160))
    image.paste((255, 255, 255, 255), (10, 25, 150, 35))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_an_image_watermark_differs_from_none_and_from_the_text(tmp_path):
    path = save_jpeg(tmp_path / "p.jpg", textured(1200, 800))
    clean = decoded(render_review(path))
    text = decoded(render_derivatives(path, watermark=WATERMARK).preview)
    spec = imaging.WatermarkSpec(text=WATERMARK_TEXT, image=watermark_png())
    image = decoded(render_derivatives(path, watermark=spec).preview)

    assert mean_abs_diff(image, clean) > 3
    assert mean_abs_diff(image, text) > 3
    # tiled: every quarter of the preview carries some of it
    assert min(grid_diffs(image, clean, n=2)) > 2
    # the red of the PNG shows: the red band rises relative to the others
    assert (image[0].avg() - image[2].avg()) > (clean[0].avg() - clean[2].avg()) + 2


@pytest.mark.parametrize("with_image", [False, True], ids=["text", "image"])
def test_a_higher_opacity_changes_the_pixels_more(tmp_path, with_image):
    path = save_jpeg(tmp_path / "p.jpg", textured(1200, 800))
    clean = decoded(render_review(path))
    png = watermark_png() if with_image else None

    def change(opacity):
        spec = imaging.WatermarkSpec(text=WATERMARK_TEXT, image=png, opacity=opacity)
        return mean_abs_diff(decoded(render_derivatives(path, watermark=spec).preview), clean)

    faint, default, strong = change(10), change(45), change(80)
    assert faint < default < strong
    assert strong > faint * 2


def test_the_default_opacity_keeps_the_original_look(camera_jpeg, camera_derivatives):
    spec = imaging.WatermarkSpec(text=WATERMARK_TEXT, opacity=45)

    assert render_derivatives(camera_jpeg, watermark=spec) == camera_derivatives
    assert imaging.WATERMARK_OPACITY_DEFAULT == 45


def test_the_identity_changes_with_text_image_and_opacity():
    png = watermark_png()
    identities = {
        imaging.WatermarkSpec(text="A").identity,
        imaging.WatermarkSpec(text="B").identity,
        imaging.WatermarkSpec(text="A", opacity=60).identity,
        imaging.WatermarkSpec(text="A", image=png).identity,
        imaging.WatermarkSpec(text="A", image=png + b"\0").identity,
        imaging.WatermarkSpec(text="A", image=png, opacity=60).identity,
    }

    assert len(identities) == 6
    assert all(len(identity) == 16 for identity in identities)
    # the text does not matter while an image is drawn instead
    assert (
        imaging.WatermarkSpec(text="A", image=png).identity
        == imaging.WatermarkSpec(text="B", image=png).identity
    )


@pytest.mark.parametrize("opacity", [9, 81])
def test_an_opacity_out_of_range_is_refused_by_the_spec(opacity):
    with pytest.raises(ValueError, match="opacity"):
        imaging.WatermarkSpec(text="A", opacity=opacity)


def test_a_damaged_image_watermark_is_refused_as_corrupt(tmp_path):
    path = save_jpeg(tmp_path / "p.jpg", textured(300, 200))
    spec = imaging.WatermarkSpec(text="A", image=watermark_png()[:60])

    with pytest.raises(RejectedImage) as rejected:
        render_derivatives(path, watermark=spec)

    assert rejected.value.code == "corrupt"


def test_the_sample_is_a_small_watermarked_jpeg():
    plain = imaging.WatermarkSpec(text="A", opacity=10)
    sample = imaging.render_watermark_sample(plain)
    image = decoded(sample)

    assert sample.startswith(b"\xff\xd8") and (image.width, image.height) == (480, 320)
    stronger = decoded(imaging.render_watermark_sample(imaging.WatermarkSpec(text="A", opacity=80)))
    assert mean_abs_diff(image, stronger) > 1


# --- determinism ----------------------------------------------------------------------------


def test_rendering_twice_gives_identical_bytes(camera_jpeg, camera_derivatives):
    imaging._watermark_pattern.cache_clear()

    again = render_derivatives(camera_jpeg, watermark=WATERMARK)  # watermark built afresh
    cached = render_derivatives(camera_jpeg, watermark=WATERMARK)  # watermark from the cache

    assert again == camera_derivatives
    assert cached == camera_derivatives


def test_a_new_process_renders_identical_bytes(camera_jpeg, camera_derivatives, tmp_path):
    """What happens when a killed worker's photo is processed again elsewhere."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from studio.photos.imaging import WatermarkSpec, render_derivatives\n"
        "d = render_derivatives(sys.argv[1], watermark=WatermarkSpec(text=sys.argv[2]))\n"
        "Path(sys.argv[3]).write_bytes(d.thumbnail)\n"
        "Path(sys.argv[4]).write_bytes(d.preview)\n"
    )
    thumbnail, preview = tmp_path / "t.jpg", tmp_path / "p.jpg"
    args = [str(camera_jpeg), WATERMARK_TEXT, str(thumbnail), str(preview)]

    subprocess.run([sys.executable, "-c", script, *args], cwd=REPO, check=True)

    assert thumbnail.read_bytes() == camera_derivatives.thumbnail
    assert preview.read_bytes() == camera_derivatives.preview


# --- orientation, formats, colour -----------------------------------------------------------


@pytest.mark.parametrize(
    ("orientation", "displayed"),
    [(1, (900, 600)), (2, (900, 600)), (3, (900, 600)), (4, (900, 600))]
    + [(5, (600, 900)), (6, (600, 900)), (7, (600, 900)), (8, (600, 900))],
)
def test_size_is_reported_and_rendered_as_displayed(tmp_path, orientation, displayed):
    path = save_jpeg(tmp_path / "o.jpg", textured(900, 600), exif=camera_exif(orientation))

    info = inspect_original(path)
    derivatives = render_derivatives(path, watermark=WATERMARK)

    assert (info.width, info.height) == displayed
    assert (derivatives.width, derivatives.height) == displayed
    assert Image.open(io.BytesIO(derivatives.preview)).size == displayed
    thumbnail = Image.open(io.BytesIO(derivatives.thumbnail)).size
    assert thumbnail == ((400, 267) if displayed[0] > displayed[1] else (267, 400))


SUPPORTED_WRITERS = {
    "jpeg": lambda path, image: image.jpegsave(str(path), Q=90),
    "png": lambda path, image: image.pngsave(str(path)),
    "webp": lambda path, image: image.webpsave(str(path), Q=90),
    "tiff": lambda path, image: image.tiffsave(str(path)),
    "heif": lambda path, image: image.heifsave(str(path), compression="av1", effort=0),  # AVIF
}


@pytest.mark.parametrize("fmt", sorted(SUPPORTED_WRITERS))
def test_every_supported_format_is_inspected_and_rendered(tmp_path, fmt):
    path = tmp_path / f"photo.{fmt}"
    SUPPORTED_WRITERS[fmt](path, textured(1800, 1200))

    info = inspect_original(path)
    derivatives = render_derivatives(path, watermark=WATERMARK)

    assert fmt in imaging.SUPPORTED_FORMATS
    assert info == ImageInfo(format=fmt, width=1800, height=1200, captured_at=None)
    assert Image.open(io.BytesIO(derivatives.thumbnail)).size == (400, 267)
    assert Image.open(io.BytesIO(derivatives.preview)).size == (1600, 1067)


def test_cmyk_jpeg_becomes_rgb_with_the_right_tones(tmp_path):
    # Left half white (no ink), right half black (full K), a little noise.
    width, height = 1200, 800
    ink = (pyvips.Image.xyz(width, height)[0] >= width // 2).ifthenelse(255, 0)
    noise = pyvips.Image.gaussnoise(width, height, sigma=4, mean=8, seed=7).abs()
    cmyk = noise.bandjoin([noise, noise, ink]).cast("uchar")
    path = tmp_path / "cmyk.jpg"
    Image.frombytes("CMYK", (width, height), cmyk.write_to_memory()).save(path, quality=90)
    assert Image.open(path).mode == "CMYK"

    derivatives = render_derivatives(path, watermark=WATERMARK)
    thumbnail = decoded(derivatives.thumbnail)

    assert Image.open(io.BytesIO(derivatives.thumbnail)).mode == "RGB"
    assert Image.open(io.BytesIO(derivatives.preview)).mode == "RGB"
    assert (thumbnail.width, thumbnail.height, thumbnail.bands) == (400, 267, 3)
    assert thumbnail.crop(20, 20, 150, 227).avg() > 200  # white paper stays light
    assert thumbnail.crop(230, 20, 150, 227).avg() < 60  # black ink stays dark


@pytest.mark.parametrize("bits", [8, 16])
def test_transparent_png_is_flattened_on_white(tmp_path, bits):
    # Left half fully transparent (over black pixels), right half opaque texture.
    width, height = 1200, 800
    rgb = textured(width, height)
    alpha = (pyvips.Image.xyz(width, height)[0] >= width // 2).ifthenelse(255, 0).cast("uchar")
    rgba = alpha.ifthenelse(rgb, 0).bandjoin(alpha).cast("uchar").copy(interpretation="srgb")
    if bits == 16:
        rgba = (rgba.cast("ushort") * 257).cast("ushort").copy(interpretation="rgb16")
    path = tmp_path / "rgba.png"
    rgba.pngsave(str(path), bitdepth=bits)
    assert pyvips.Image.new_from_file(str(path)).format == ("uchar" if bits == 8 else "ushort")

    derivatives = render_derivatives(path, watermark=WATERMARK)
    thumbnail = decoded(derivatives.thumbnail)

    assert Image.open(io.BytesIO(derivatives.thumbnail)).mode == "RGB"
    assert (thumbnail.width, thumbnail.height, thumbnail.bands) == (400, 267, 3)
    opaque_half = thumbnail.crop(220, 10, 170, 247)
    assert thumbnail.crop(10, 10, 170, 247).min() >= 250  # transparent → white, not black
    assert mean_abs_diff(opaque_half, rgb.resize(1 / 3).crop(220, 10, 170, 247)) < 4


def test_16_bit_grey_png_renders_as_rgb(tmp_path):
    grey = (textured(1200, 800).colourspace("b-w").cast("ushort") * 257).cast("ushort")
    path = tmp_path / "grey16.png"
    grey.copy(interpretation="grey16").pngsave(str(path), bitdepth=16)
    assert pyvips.Image.new_from_file(str(path)).format == "ushort"

    derivatives = render_derivatives(path, watermark=WATERMARK)
    thumbnail = decoded(derivatives.thumbnail)

    assert (thumbnail.width, thumbnail.height, thumbnail.bands) == (400, 267, 3)
    assert 100 < thumbnail.avg() < 160  # mid grey, not white or black


def test_icc_tagged_jpeg_is_converted_to_srgb(tmp_path):
    """Pixels in Display P3, tagged as such: once the profile is stripped they must already
    be sRGB, or colours shift in every browser."""
    xyz = pyvips.Image.xyz(1200, 800)
    red, green = xyz[0] * (255 / 1200), xyz[1] * (255 / 800)
    srgb = red.bandjoin([green, 255 - red]).cast("uchar").copy(interpretation="srgb")  # saturated
    srgb_path = tmp_path / "srgb.jpg"
    p3_path = tmp_path / "p3.jpg"
    srgb.jpegsave(str(srgb_path), Q=95)
    srgb.icc_transform("p3", input_profile="srgb").jpegsave(str(p3_path), Q=95)
    assert mean_abs_diff(pyvips.Image.new_from_file(str(p3_path)), srgb) > 5

    from_p3 = decoded(render_derivatives(p3_path, watermark=WATERMARK).thumbnail)
    from_srgb = decoded(render_derivatives(srgb_path, watermark=WATERMARK).thumbnail)

    assert mean_abs_diff(from_p3, from_srgb) < 2


def test_small_image_is_not_enlarged(tmp_path):
    path = save_jpeg(tmp_path / "small.jpg", textured(300, 200))

    derivatives = render_derivatives(path, watermark=WATERMARK)
    thumbnail, preview = decoded(derivatives.thumbnail), decoded(derivatives.preview)

    assert (derivatives.width, derivatives.height) == (300, 200)
    assert (thumbnail.width, thumbnail.height) == (300, 200)
    assert (preview.width, preview.height) == (300, 200)
    assert mean_abs_diff(preview, thumbnail) > 4  # still watermarked


# --- capture time ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "subsec", "expected"),
    [
        ("2024:05:14 09:30:12", None, datetime(2024, 5, 14, 9, 30, 12)),
        ("2024:05:14 09:30:12", "045", datetime(2024, 5, 14, 9, 30, 12, 45000)),
        ("    :  :     :  :  ", None, None),
        ("0000:00:00 00:00:00", None, None),
        ("2024:02:30 09:30:12", None, None),
        (None, None, None),
    ],
)
def test_capture_time_from_exif(tmp_path, original, subsec, expected):
    exif = Image.Exif()
    if original is not None:
        exif.get_ifd(0x8769)[0x9003] = original
    if subsec is not None:
        exif.get_ifd(0x8769)[0x9291] = subsec
    path = save_jpeg(tmp_path / "t.jpg", textured(90, 60), exif=exif)

    assert inspect_original(path).captured_at == expected


def test_no_exif_at_all_gives_no_capture_time(tmp_path):
    path = save_jpeg(tmp_path / "t.jpg", textured(90, 60))

    assert inspect_original(path) == ImageInfo("jpeg", 90, 60, None)


# --- rejected at inspection -----------------------------------------------------------------

NOT_IMAGE = "This file is not an image."
UNSUPPORTED = (
    "%s files are not supported. Please upload JPEG photos (PNG, WebP, TIFF and HEIF are "
    "accepted too)."
)
RAW = (
    "Camera raw files are not supported. Please export JPEG photos from your editing "
    "software and upload those."
)
TRUNCATED = "The file is incomplete: the upload or copy was cut off. Please upload it again."
CORRUPT = "The image data is damaged and cannot be read."


def _jpeg(path: Path) -> Path:
    return save_jpeg(path, textured(640, 480))


def _pillow(fmt):
    def make(path: Path) -> Path:
        to_pillow(textured(64, 48)).save(path, fmt)
        return path

    return make


def _raw_bytes(data: bytes):
    def make(path: Path) -> Path:
        path.write_bytes(data)
        return path

    return make


def _fake_dng(path: Path) -> Path:
    """A TIFF whose first directory carries DNGVersion, as every DNG does."""
    tags = TiffImagePlugin.ImageFileDirectory_v2()
    tags[0xC612] = b"\x01\x04\x00\x00"
    tags.tagtype[0xC612] = 1
    to_pillow(textured(64, 48)).save(path, "TIFF", tiffinfo=tags)
    return path


def _padded_to_too_large(path: Path) -> Path:
    """A valid JPEG grown past the limit without writing 50 MB (a sparse file)."""
    _jpeg(path)
    with open(path, "r+b") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    return path


def _cut_in_half(path: Path) -> Path:
    data = _jpeg(path).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _bomb_png(path: Path) -> Path:
    """A real 20000×20000 PNG (400 megapixels) of a few tens of kilobytes."""
    pyvips.Image.black(20000, 20000).pngsave(str(path), compression=9, bitdepth=1)
    return path


def _bomb_header_only(path: Path) -> Path:
    """Claims 30000×30000 but holds no valid pixel data: decoding it would fail, so the
    rejection proves that only the header was read."""
    ihdr = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", b"not zlib data at all")
        + _png_chunk(b"IEND", b"")
    )
    return path


REJECTIONS = {
    "text renamed .jpg": (_raw_bytes(b"Class list: Anna, Boris\n" * 20), "not_image", NOT_IMAGE),
    "empty file": (_raw_bytes(b""), "not_image", "The file is empty."),
    "MP4 video": (
        _raw_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(64)),
        "not_image",
        NOT_IMAGE,
    ),
    "GIF": (_pillow("GIF"), "unsupported", UNSUPPORTED % "GIF"),
    "BMP": (_pillow("BMP"), "unsupported", UNSUPPORTED % "BMP"),
    "PDF": (_pillow("PDF"), "unsupported", UNSUPPORTED % "PDF"),
    "SVG": (
        _raw_bytes(
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10"'
            b' height="10"><rect width="10" height="10"/></svg>'
        ),
        "unsupported",
        UNSUPPORTED % "SVG",
    ),
    "PSD": (_raw_bytes(b"8BPS\x00\x01" + bytes(64)), "unsupported", UNSUPPORTED % "PSD"),
    "DNG": (_fake_dng, "unsupported", RAW),
    "CR2": (_raw_bytes(b"II*\x00\x10\x00\x00\x00CR\x02\x00" + bytes(64)), "unsupported", RAW),
    "ORF": (_raw_bytes(b"IIRO\x08\x00\x00\x00" + bytes(64)), "unsupported", RAW),
    "CR3": (
        _raw_bytes(b"\x00\x00\x00\x18ftypcrx \x00\x00\x00\x01crx isom" + bytes(64)),
        "unsupported",
        RAW,
    ),
    "over 50 MB": (
        _padded_to_too_large,
        "too_large",
        "The file is 50.0 MB; the limit is 50 MB.",
    ),
    "decompression bomb": (
        _bomb_png,
        "too_many_pixels",
        "The image is 20000 × 20000 pixels, more than the 100 megapixels we accept.",
    ),
    "bomb with only a header": (
        _bomb_header_only,
        "too_many_pixels",
        "The image is 30000 × 30000 pixels, more than the 100 megapixels we accept.",
    ),
    "JPEG cut in half": (_cut_in_half, "truncated", TRUNCATED),
}


@pytest.mark.parametrize("case", list(REJECTIONS))
def test_inspect_rejects(tmp_path, case):
    make, code, message = REJECTIONS[case]
    path = make(tmp_path / "upload.jpg")  # the name never matters, only the content

    with pytest.raises(RejectedImage) as caught:
        inspect_original(path)

    assert caught.value.code == code
    assert str(caught.value.message) == message
    assert str(caught.value) == message


def test_size_reported_by_the_caller_is_checked(tmp_path):
    path = _jpeg(tmp_path / "p.jpg")

    with pytest.raises(RejectedImage) as caught:
        inspect_original(path, size_bytes=60 * 2**20)

    assert caught.value.code == "too_large"
    assert str(caught.value.message) == "The file is 60.0 MB; the limit is 50 MB."
    assert inspect_original(path, size_bytes=MAX_FILE_BYTES).format == "jpeg"


@pytest.mark.parametrize("make", [_bomb_png, _bomb_header_only], ids=["real", "header only"])
def test_decompression_bomb_is_tiny_and_refused_by_render_too(tmp_path, make):
    path = make(tmp_path / "bomb.png")
    width, height = struct.unpack(">II", path.read_bytes()[16:24])

    assert path.stat().st_size < 64 * 1024
    assert width * height > MAX_PIXELS
    with pytest.raises(RejectedImage) as caught:
        render_derivatives(path, watermark=WATERMARK)
    assert caught.value.code == "too_many_pixels"


@pytest.mark.parametrize("padding", [b"", b"\x00" * 3000, b"\r\n", b"  \n\x00\x00"])
def test_jpeg_with_padding_after_the_end_marker_is_complete(tmp_path, padding):
    path = _jpeg(tmp_path / "p.jpg")
    path.write_bytes(path.read_bytes() + padding)

    assert inspect_original(path) == ImageInfo("jpeg", 640, 480, None)


MOTION_VIDEO = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42" + bytes(range(256)) * 40


@pytest.mark.parametrize(
    "trailer",
    [
        MOTION_VIDEO,  # a phone's motion photo: the video follows the image
        MOTION_VIDEO + b"\xff\xd9",  # ...even when the trailer happens to end like a JPEG
        b"\xff\xd8\xff\xe0" + bytes(5000),  # a multi-picture file's second image
    ],
    ids=["motion photo", "trailer ending in FFD9", "second image"],
)
def test_a_jpeg_with_data_after_its_image_is_accepted_and_says_where_the_image_ends(
    tmp_path, trailer
):
    image = _jpeg(tmp_path / "p.jpg").read_bytes()
    path = tmp_path / "motion.jpg"
    path.write_bytes(image + trailer)

    assert inspect_original(path) == ImageInfo("jpeg", 640, 480, None, len(image))


def test_a_progressive_jpeg_with_a_trailer_is_walked_scan_by_scan(tmp_path):
    image = textured(640, 480).jpegsave_buffer(interlace=True, Q=90)
    path = tmp_path / "progressive.jpg"
    path.write_bytes(image + MOTION_VIDEO)

    assert inspect_original(path).image_bytes == len(image)


@pytest.mark.parametrize("cut", [0.5, 0.99])
def test_a_jpeg_cut_off_is_still_refused_with_or_without_a_trailer_marker_inside(tmp_path, cut):
    image = _jpeg(tmp_path / "p.jpg").read_bytes()
    path = tmp_path / "cut.jpg"
    path.write_bytes(image[: int(len(image) * cut)])

    with pytest.raises(RejectedImage) as caught:
        inspect_original(path)

    assert (caught.value.code, str(caught.value)) == ("truncated", TRUNCATED)


# --- rejected while decoding ----------------------------------------------------------------


def _scan_start(data: bytes) -> int:
    """Offset of the entropy-coded data (just after the first SOS segment)."""
    sos = data.index(b"\xff\xda")
    return sos + 2 + int.from_bytes(data[sos + 2 : sos + 4], "big")


def _garbage_in_the_middle(data: bytes, start: int, length: int = 2048) -> bytes:
    middle = start + (len(data) - start) // 2
    noise = random.Random(5).randbytes(length)
    return data[:middle] + noise + data[middle + length :]


def _jpeg_garbled(width, height):
    def make(path: Path) -> Path:
        data = save_jpeg(path, textured(width, height)).read_bytes()
        path.write_bytes(_garbage_in_the_middle(data, _scan_start(data)))
        return path

    return make


def _jpeg_cut_then_closed(path: Path) -> Path:
    """Cut short, yet ending with an EOI marker: passes inspection, fails decoding."""
    data = _jpeg(path).read_bytes()
    path.write_bytes(data[: len(data) // 2] + b"\xff\xd9")
    return path


def _png_garbled(path: Path) -> Path:
    textured(640, 480).pngsave(str(path), compression=1)
    data = path.read_bytes()
    path.write_bytes(_garbage_in_the_middle(data, data.index(b"IDAT")))
    return path


def _png_cut_short(path: Path) -> Path:
    textured(640, 480).pngsave(str(path))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


CORRUPTIONS = {
    "JPEG, garbage in the scan": _jpeg_garbled(640, 480),
    "large JPEG decoded at 1/2 scale, garbage in the scan": _jpeg_garbled(4000, 3000),
    "JPEG cut short but closed with EOI": _jpeg_cut_then_closed,
    "PNG, garbage in the pixel data": _png_garbled,
    "PNG cut short": _png_cut_short,
}


@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_damaged_image_data_passes_inspection_but_not_rendering(tmp_path, case):
    path = CORRUPTIONS[case](tmp_path / "damaged")

    inspect_original(path)  # header (and for JPEG the end marker) intact
    with pytest.raises(RejectedImage) as caught:
        render_derivatives(path, watermark=WATERMARK)

    assert caught.value.code == "corrupt"
    assert str(caught.value.message) == CORRUPT


def _heic_without_pixels(path: Path, width=4032, height=3024) -> Path:
    """A HEIF container as an iPhone writes it (HEVC, 'heic' brand), with dummy coded data."""

    def box(kind, body):
        return struct.pack(">I", 8 + len(body)) + kind + body

    def full_box(kind, body):
        return box(kind, b"\x00\x00\x00\x00" + body)

    # HEVC decoder configuration: Main profile, level 3.1, no parameter-set arrays.
    hvcc = box(
        b"hvcC",
        bytes([1, 1, 0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x5D, 0xF0, 0])
        + bytes([0xFC, 0xFD, 0xF8, 0xF8, 0, 0, 0x0F, 0]),
    )
    ipco = box(b"ipco", hvcc + full_box(b"ispe", struct.pack(">II", width, height)))
    iprp = box(b"iprp", ipco + full_box(b"ipma", struct.pack(">IHB", 1, 1, 2) + b"\x81\x02"))
    infe = box(b"infe", b"\x02\x00\x00\x00" + struct.pack(">HH", 1, 0) + b"hvc1\x00")
    payload = bytes(32)

    def head(offset):
        iloc = full_box(
            b"iloc", b"\x44\x00" + struct.pack(">HHHHII", 1, 1, 0, 1, offset, len(payload))
        )
        meta = full_box(
            b"meta",
            full_box(b"hdlr", bytes(4) + b"pict" + bytes(13))
            + full_box(b"pitm", struct.pack(">H", 1))
            + iloc
            + full_box(b"iinf", struct.pack(">H", 1) + infe)
            + iprp,
        )
        return box(b"ftyp", b"heic\x00\x00\x00\x00mif1heic") + meta

    path.write_bytes(head(len(head(0)) + 8) + box(b"mdat", payload))
    return path


def test_iphone_heic_photos_are_decoded_although_this_libvips_has_no_hevc_decoder(tmp_path):
    """pyvips-binary's libheif has no HEVC decoder (libde265); pillow-heif's has, and the
    rendering falls back to it, with the picture's rotation applied once."""
    path = iphone_heic(tmp_path / "IMG_1234.HEIC", orientation=6)
    assert path.read_bytes()[4:12] == b"ftypheic"

    assert inspect_original(path) == ImageInfo("heif", 600, 800, None)
    rendered = render_derivatives(path, watermark=WATERMARK)
    preview = Image.open(io.BytesIO(rendered.preview))
    thumbnail = Image.open(io.BytesIO(rendered.thumbnail))
    assert (rendered.width, rendered.height) == (600, 800)
    assert (preview.format, preview.mode, preview.size) == ("JPEG", "RGB", (600, 800))
    assert thumbnail.size == (300, 400)
    assert not preview.getexif() and "icc_profile" not in preview.info
    # rotated: the blue stripes (every 20 px in the thumbnail) now run across
    red, blue = thumbnail.getpixel((150, 392)), thumbnail.getpixel((150, 382))
    assert abs(red[0] - 200) <= 12 and red[1] <= 50 and red[2] <= 50, red
    assert blue[0] <= 60 and abs(blue[2] - 220) <= 25, blue


def test_a_heic_with_damaged_coded_data_is_called_damaged(tmp_path):
    path = _heic_without_pixels(tmp_path / "IMG_1234.HEIC")

    assert inspect_original(path) == ImageInfo("heif", 4032, 3024, None)
    with pytest.raises(RejectedImage) as caught:
        render_derivatives(path, watermark=WATERMARK)
    assert caught.value.code == "corrupt"
    assert str(caught.value.message) == CORRUPT


# --- the exception itself -------------------------------------------------------------------


def test_rejection_survives_pickling_for_celery(tmp_path):
    with pytest.raises(RejectedImage) as caught:
        inspect_original(_padded_to_too_large(tmp_path / "big.jpg"))

    copy = pickle.loads(pickle.dumps(caught.value))

    assert copy.code == "too_large"
    assert str(copy.message) == str(caught.value.message)
    assert str(copy) == "The file is 50.0 MB; the limit is 50 MB."
