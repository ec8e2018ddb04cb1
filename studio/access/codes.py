"""Access-code strings: generation, display and forgiving parsing (no database).

A code is 12 symbols of Crockford's base32 alphabet (``0-9`` and ``A-Z`` without ``I``,
``L``, ``O`` and ``U``): 32 symbols × 12 = 60 random bits from ``secrets``. It is stored
normalised (``7KQ2M9XD4HTP``) and shown in groups of four (``7KQ2-M9XD-4HTP``).

Parsing forgives what people do when copying a code from a card or a phone: any case,
spaces, dashes and dots between the groups, ``O`` for zero and ``I``/``L`` for one (as
Crockford specifies), full-width characters (NFKC) and Cyrillic letters that look like
Latin ones (a Russian keyboard layout left on: ``А``, ``В``, ``Е``, ``К``, ``М``, ``Н``, ``О``,
``Р``, ``С``, ``Т``, ``Х``, ``У``).
"""

import math
import re
import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
GROUP = 4
BITS = LENGTH * int(math.log2(len(ALPHABET)))  # 60

# Crockford's decoding aliases, then Cyrillic capitals that look like Latin ones.
_ALIASES = str.maketrans(
    {
        "O": "0",
        "I": "1",
        "L": "1",
        "А": "A",
        "В": "B",
        "Е": "E",
        "К": "K",
        "М": "M",
        "Н": "H",
        "О": "0",
        "Р": "P",
        "С": "C",
        "Т": "T",
        "Х": "X",
        "У": "Y",
    }
)
# Separators people type or paste between groups: spaces of any kind, dashes, dots, underscores.
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−_.·]+")
_VALID = re.compile(rf"[{ALPHABET}]{{{LENGTH}}}")
CHECK_REGEX = rf"^[{ALPHABET}]{{{LENGTH}}}$"


def generate() -> str:
    """A new normalised code: 60 bits from the operating system's CSPRNG."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code: str) -> str:
    """``7KQ2M9XD4HTP`` → ``7KQ2-M9XD-4HTP``."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def parse(raw: str | None) -> str | None:
    """The normalised code typed as ``raw``, or None when it cannot be one (wrong length,
    a symbol outside the alphabet such as ``U``)."""
    if not raw:
        return None
    text = unicodedata.normalize("NFKC", raw).upper()
    text = _SEPARATORS.sub("", text).translate(_ALIASES)
    return text if _VALID.fullmatch(text) else None
