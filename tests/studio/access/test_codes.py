"""Code strings: alphabet, entropy, display, and how forgiving parsing is."""

import re
from collections import Counter

import pytest

from studio.access import codes

SAMPLE = "7KQ2M9XD4HTP"


def test_the_alphabet_is_crockford_base32_without_ambiguous_letters():
    assert codes.ALPHABET == "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    assert len(set(codes.ALPHABET)) == 32
    assert set("ILOU") & set(codes.ALPHABET) == set()


def test_a_code_is_twelve_symbols_carrying_sixty_random_bits():
    generated = codes.generate()

    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{12}", generated)
    assert codes.BITS == 60
    assert len(codes.ALPHABET) ** codes.LENGTH == 2**60


def test_ten_thousand_generated_codes_are_all_different_and_use_every_symbol_evenly():
    generated = [codes.generate() for _ in range(10_000)]

    symbols = Counter("".join(generated))
    assert len(set(generated)) == 10_000
    assert set(symbols) == set(codes.ALPHABET)
    # 120,000 symbols, 3,750 expected each; 3,400..4,100 is more than 5 standard deviations
    assert all(3_400 < count < 4_100 for count in symbols.values()), symbols


def test_codes_are_shown_in_three_groups_of_four():
    assert codes.display(SAMPLE) == "7KQ2-M9XD-4HTP"


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("7KQ2-M9XD-4HTP", SAMPLE),
        ("7KQ2M9XD4HTP", SAMPLE),
        ("7kq2-m9xd-4htp", SAMPLE),
        ("  7KQ2 M9XD   4HTP \n", SAMPLE),
        ("7KQ2 - M9XD - 4HTP", SAMPLE),
        ("7KQ2–M9XD—4HTP", SAMPLE),  # en and em dashes from an e-mail
        ("7kq2.m9xd.4htp", SAMPLE),
        ("7KQ2_M9XD_4HTP", SAMPLE),
        ("７ＫＱ２-Ｍ９ＸＤ-４ＨＴＰ", SAMPLE),  # full-width, from a phone keyboard
        ("OOOO-IIII-LLLL", "000011111111"),  # Crockford: O is zero, I and L are one
        ("oooo-iiii-llll", "000011111111"),
        ("АВЕК-МНРС-ТХО1", "ABEKMHPCTX01"),  # Cyrillic look-alikes (Russian layout left on)
        ("авек-мнрс-тхо1", "ABEKMHPCTX01"),
        ("", None),
        (None, None),
        ("7KQ2-M9XD-4HT", None),  # 11 symbols
        ("7KQ2-M9XD-4HTPX", None),  # 13 symbols
        ("UUUU-UUUU-UUUU", None),  # U is not in the alphabet
        ("7KQ2-M9XD-4HT!", None),
        ("7KQ2/M9XD/4HTP", None),
        ("ЖЖЖЖ-ЖЖЖЖ-ЖЖЖЖ", None),
    ],
)
def test_parsing_forgives_case_separators_and_look_alikes(typed, parsed):
    assert codes.parse(typed) == parsed
