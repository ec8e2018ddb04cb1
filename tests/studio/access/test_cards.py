"""Printable cards: one per child, a class per sheet, Cyrillic names, loud failures.

pypdf is not installed, so the PDF is checked by its header and page objects, and the cards
drawn are observed by wrapping the drawing function."""

import re

import pytest

from saas_platform import pdf_fonts
from studio.access import cards
from studio.access.models import AccessCode, AccessCodeKind
from studio.access.selectors import card_codes
from studio.access.services import access_codes_issue
from studio.schools.models import Student
from tenants.selectors import studio_url

from .conftest import NOW


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


@pytest.fixture
def drawn(monkeypatch):
    """The cards drawn, in order."""
    seen = []
    draw = cards._draw_card

    def spy(canvas, card, x, y, brand):
        seen.append(card)
        draw(canvas, card, x, y, brand)

    monkeypatch.setattr(cards, "_draw_card", spy)
    return seen


def test_one_card_per_child_ten_to_a_sheet_each_class_on_its_own_sheets(day, alpha, drawn):
    for i in range(11):  # 11A: 13 children → two sheets; 5B: 2 children → one sheet
        Student.objects.create(school_class=day.class_a, first_name=f"Child{i:02d}", last_name="Х")
    access_codes_issue(shoot=day.shoot, now=NOW)
    student_codes = card_codes(shoot=day.shoot)

    pdf = cards.access_cards_pdf(codes=student_codes, studio=alpha.studio, title="Spring 2027")

    assert pdf.startswith(b"%PDF-")
    assert page_count(pdf) == 3
    assert len(drawn) == Student.objects.exclude(last_name="Pupil").count() == 15
    assert [card.title for card in drawn][:2] == ["Ivan Petrov", "Мария Семёнова"]
    assert [card.title for card in drawn][-2:] == ["Hidden Child", "No Mail"]
    masha = next(card for card in drawn if card.title == "Мария Семёнова")
    code = AccessCode.objects.get(student=day.masha)
    assert masha.code == code.display
    assert masha.subtitle == "Class 11A · School No. 5"
    assert masha.heading == "Alpha Photo"
    assert masha.url == studio_url(studio=alpha.studio, path=f"/?code={code.display}")
    assert masha.instruction == (
        "Scan the QR code, or open alpha.localhost:8000 and enter the code."
    )
    assert masha.expires.startswith("valid until ")


def test_class_code_cards(day, alpha, drawn):
    access_codes_issue(shoot=day.shoot, now=NOW)

    pdf = cards.access_cards_pdf(
        codes=card_codes(shoot=day.shoot, kind=AccessCodeKind.CLASS),
        studio=alpha.studio,
        title="Class codes",
    )

    assert page_count(pdf) == 2  # one sheet per class
    assert [(card.title, card.label) for card in drawn] == [
        ("Class 11A", "Class code"),
        ("Class 5B", "Class code"),
    ]


def test_a_name_the_font_cannot_print_fails_loudly_instead_of_printing_boxes(day, alpha):
    day.ivan.first_name = "王"
    day.ivan.save()
    access_codes_issue(shoot=day.shoot, now=NOW)

    with pytest.raises(cards.CardTextUnsupported) as error:
        cards.access_cards_pdf(codes=card_codes(shoot=day.shoot), studio=alpha.studio, title="T")

    assert str(error.value) == ("Name “王 Petrov” has characters the card font cannot print: 王")


def test_without_the_dejavu_fonts_cards_are_refused_with_a_clear_message(
    day, alpha, monkeypatch, tmp_path, settings
):
    settings.ACCESS_CARD_FONT_DIR = ""
    monkeypatch.setattr(pdf_fonts, "FONT_DIRS", [str(tmp_path)])
    monkeypatch.setattr(pdf_fonts, "_glyphs", {})

    with pytest.raises(pdf_fonts.PdfFontMissing) as error:
        cards.access_cards_pdf(codes=[], studio=alpha.studio, title="T")

    assert "DejaVuSans.ttf is in none of" in str(error.value)
    assert "apt-get install fonts-dejavu-core" in str(error.value)


def test_an_unsupported_name_is_explained_on_the_staff_page(day, alpha):
    from saas_platform.accounts.models import Role, User
    from tests.conftest import logged_in_client

    day.ivan.first_name = "王"
    day.ivan.save()
    access_codes_issue(shoot=day.shoot, now=NOW)
    manager = User.objects.create_user(email="m-cards@alpha.test", password="pw", role=Role.MANAGER)

    response = logged_in_client(alpha, manager).get(
        f"/staff/access/shoots/{day.shoot.pk}/cards.pdf", follow=True
    )

    assert response.redirect_chain == [(f"/staff/access/shoots/{day.shoot.pk}/", 302)]
    assert "has characters the card font cannot print: 王" in response.content.decode()


def test_ukrainian_cards_print_the_letters_russian_lacks(day, alpha, drawn):
    """і ї є ґ are not in Russian: a font or a check that knew only Russian would box them."""
    from tests.studio.downloads.pdftext import pdf_text

    day.ivan.first_name, day.ivan.last_name = "Ґанна", "Їжак-Євенко"
    day.ivan.save()
    access_codes_issue(shoot=day.shoot, now=NOW)

    alpha.studio.language = "uk"  # cards speak the studio's language

    pdf = cards.access_cards_pdf(codes=card_codes(shoot=day.shoot), studio=alpha.studio, title="T")

    ganna = next(card for card in drawn if card.title == "Ґанна Їжак-Євенко")
    assert (ganna.label, ganna.subtitle) == ("Код доступу", "Клас 11A · School No. 5")
    assert ganna.expires.startswith("дійсний до ")
    text = pdf_text(pdf)
    assert "Ґанна Їжак-Євенко" in text
    assert "Відскануйте QR-код або відкрийте alpha.localhost:8000 і введіть код." in text
