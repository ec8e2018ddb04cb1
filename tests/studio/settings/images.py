"""Small real logo files."""

import io

from PIL import Image


def logo_bytes(fmt="PNG", size=(300, 120), colour=(200, 30, 60)) -> bytes:
    buffer = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" else "RGB"
    Image.new(mode, size, colour).save(buffer, fmt)
    return buffer.getvalue()


def huge_png(width=5000, height=4000) -> bytes:
    """A small file whose header claims 20 megapixels."""
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def watermark_png(size=(160, 60)) -> bytes:
    """A half-transparent red bar with an opaque white stripe: a PNG logo for watermarks."""
    image = Image.new("RGBA", size, (200, 30, 60, 160))
    image.paste((255, 255, 255, 255), (10, size[1] // 2 - 5, size[0] - 10, size[1] // 2 + 5))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
