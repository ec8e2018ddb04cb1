"""Real image files for tests: textured (noise over a gradient), not flat colour."""

import io
import zipfile
from pathlib import Path

import pillow_heif
from PIL import Image


def textured(width: int, height: int, seed: int = 0) -> Image.Image:
    noise = [Image.effect_noise((width, height), 40 + seed % 20) for _ in range(3)]
    gradient = Image.linear_gradient("L").resize((width, height))
    channels = [Image.blend(n, gradient, 0.5) for n in noise]
    return Image.merge("RGB", channels)


def jpeg_bytes(width=640, height=480, seed=0, exif: Image.Exif | None = None, quality=85) -> bytes:
    buffer = io.BytesIO()
    image = textured(width, height, seed)
    image.save(buffer, "JPEG", quality=quality, exif=exif.tobytes() if exif else b"")
    return buffer.getvalue()


def iphone_heic(path: Path, *, width=800, height=600, orientation=1) -> Path:
    """A real HEVC-coded HEIC (the 'heic' brand an iPhone writes), made by pillow-heif."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    for x in range(0, width, 40):
        image.paste((20, 40, 220), (x, 0, x + 10, height))
    exif = Image.Exif()
    exif[0x0112] = orientation
    heif = pillow_heif.from_pillow(image)
    heif.save(str(path), quality=90, exif=exif.tobytes())
    return path


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def broken_jpeg(seed=99) -> bytes:
    data = jpeg_bytes(seed=seed)
    return data[: len(data) // 2]  # truncated: no end-of-image marker


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def corrupt_jpeg(seed=98) -> bytes:
    """Intact header and end marker, garbage markers inside the image data."""
    data = jpeg_bytes(seed=seed)
    middle = len(data) // 2
    return data[:middle] + b"\xff\xc8" * 200 + data[middle + 400 :]
