"""The fonts of every PDF we make (access cards, invoices): DejaVu, because names are often
Cyrillic and reportlab's built-in fonts have none.

DejaVu comes from ``fonts-dejavu-core`` on Debian; the folder can be given as
``settings.ACCESS_CARD_FONT_DIR``. Without it we refuse to print (``PdfFontMissing``) rather
than print boxes, and ``unsupported_characters`` lets a caller name a character DejaVu lacks.
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIRS = [
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/local/share/fonts",
    "/Library/Fonts",
]
FONTS = {
    "PD-Sans": "DejaVuSans.ttf",
    "PD-Sans-Bold": "DejaVuSans-Bold.ttf",
    "PD-Mono-Bold": "DejaVuSansMono-Bold.ttf",
}
SANS, BOLD, MONO = FONTS


class PdfFontMissing(ImproperlyConfigured):
    pass


_glyphs: dict[str, set[int]] = {}


def register_fonts() -> None:
    """Registers DejaVu once per process, or says exactly what is missing."""
    if _glyphs:
        return
    configured = getattr(settings, "ACCESS_CARD_FONT_DIR", "")
    folders = [Path(folder) for folder in ([configured] if configured else []) + FONT_DIRS]
    found = {}
    for name, filename in FONTS.items():
        path = next(
            (folder / filename for folder in folders if (folder / filename).is_file()), None
        )
        if path is None:
            raise PdfFontMissing(
                f"PDFs need the DejaVu fonts ({', '.join(FONTS.values())}) for Cyrillic "
                f"names; {filename} is in none of {', '.join(map(str, folders))}. Install them "
                "(Debian/Ubuntu: apt-get install fonts-dejavu-core) or set ACCESS_CARD_FONT_DIR."
            )
        found[name] = TTFont(name, str(path))
    for name, font in found.items():
        pdfmetrics.registerFont(font)
        _glyphs[name] = set(font.face.charToGlyph)


def unsupported_characters(text: str, font: str) -> list[str]:
    """The characters of ``text`` that ``font`` cannot draw (after ``register_fonts``)."""
    return sorted({char for char in text if not char.isspace() and ord(char) not in _glyphs[font]})
