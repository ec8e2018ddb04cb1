"""Printable access-code cards: A4 sheets of 2 × 5 cards of 90 × 55 mm (business-card size,
fits a wallet), edge to edge so one guillotine cut separates two cards, with cut marks in the
margins and a faint dotted outline for scissors. Each class starts a new sheet, so a class's
cards stay together.

A card: the studio's name, the child's name, class and school, the code in large monospace
type, a QR code (drawn as vector rectangles) that opens the storefront with the code filled
in, when the code expires and how to use it.

The text is set in DejaVu (``saas_platform.pdf_fonts``): without it we refuse to print
(``PdfFontMissing``) instead of printing boxes; a name with a character DejaVu lacks raises
``CardTextUnsupported`` naming it.
"""

import io
import itertools
import re
from dataclasses import dataclass

import segno
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from saas_platform.pdf_fonts import BOLD, MONO, SANS, register_fonts, unsupported_characters
from tenants.models import Studio
from tenants.selectors import studio_tzinfo

from .models import AccessCode, AccessCodeKind
from .services import access_code_link

COLUMNS, ROWS = 2, 5
CARD_W, CARD_H = 90 * mm, 55 * mm
PAGE_W, PAGE_H = A4
MARGIN_X = (PAGE_W - COLUMNS * CARD_W) / 2  # 15 mm
MARGIN_Y = (PAGE_H - ROWS * CARD_H) / 2  # 11 mm
PAD = 5 * mm
QR_SIZE = 27 * mm
TEXT_W = CARD_W - PAD - QR_SIZE - 9 * mm  # the column left of the QR code

INK = colors.HexColor("#111827")
MUTED = colors.HexColor("#4b5563")
GUIDE = colors.HexColor("#c7cbd1")


class CardTextUnsupported(ValueError):
    pass


def _check(text: str, font: str, what: str) -> str:
    missing = unsupported_characters(text, font)
    if missing:
        raise CardTextUnsupported(
            _("%(what)s “%(text)s” has characters the card font cannot print: %(chars)s")
            % {"what": what, "text": text, "chars": " ".join(missing)}
        )
    return text


@dataclass(frozen=True)
class Card:
    group: object  # cards of one group (a class) start on a new sheet
    heading: str  # the studio
    title: str  # the child (or the class)
    subtitle: str  # class and school
    label: str
    code: str
    url: str
    expires: str
    instruction: str


def card_for(*, code: AccessCode, studio: Studio, request=None) -> Card:
    url = access_code_link(studio=studio, code=code, request=request)
    host = url.split("://", 1)[-1].split("/", 1)[0]
    school_class, school = code.school_class, code.school_class.school
    expires = date_format(timezone.localtime(code.expires_at, studio_tzinfo(studio)), "DATE_FORMAT")
    if code.kind == AccessCodeKind.STUDENT:
        title = code.student.full_name
        subtitle = _("Class %(class)s · %(school)s") % {
            "class": school_class.name,
            "school": school,
        }
        label = _("Access code")
        instruction = _("Scan the QR code, or open %(host)s and enter the code.") % {"host": host}
    else:
        title = _("Class %(class)s") % {"class": school_class.name}
        subtitle = f"{school} · {code.shoot.name}"
        label = _("Class code")
        instruction = _(
            "For group photos and “Find my code” on %(host)s: scan or enter the code."
        ) % {"host": host}
    card = Card(
        group=school_class.pk,
        heading=studio.name,
        title=title,
        subtitle=subtitle,
        label=label,
        code=code.display,
        url=url,
        expires=_("valid until %(date)s") % {"date": expires},
        instruction=instruction,
    )
    _check(card.heading, BOLD, _("Studio name"))
    _check(card.title, BOLD, _("Name"))
    _check(card.subtitle, SANS, _("Class and school"))
    for text in (card.label, card.expires, card.instruction):
        _check(text, SANS, _("Text"))
    return card


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of at most ``width``: broken between words, after hyphens (double-barrelled
    names), and inside a word only when nothing else fits."""
    pieces: list[tuple[str, str]] = []  # (text, what joins it to the previous piece)
    for word in text.split():
        for i, part in enumerate(re.findall(r"[^-]+-?|-", word)):
            pieces.append((part, " " if i == 0 else ""))
    lines: list[str] = []
    current = ""
    for part, joiner in pieces:
        candidate = current + joiner + part if current else part
        if not current or pdfmetrics.stringWidth(candidate, font, size) <= width:
            current = candidate
            continue
        lines.append(current)
        current = part
    if current:
        lines.append(current)
    fitted: list[str] = []
    for line in lines:  # a single piece wider than the card: break it between letters
        while pdfmetrics.stringWidth(line, font, size) > width and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and pdfmetrics.stringWidth(line[:cut], font, size) > width:
                cut -= 1
            fitted.append(line[:cut])
            line = line[cut:]
        fitted.append(line)
    return fitted or [""]


def _fit(text: str, font: str, width: float, *attempts) -> tuple[float, list[str]]:
    """The first (lines, sizes) attempt in which ``text`` fits ``width`` in at most that many
    lines, at the largest such size; otherwise the last attempt's smallest size, on as many
    lines as it takes (nothing is ever cut off)."""
    for max_lines, sizes in attempts:
        for size in sizes:
            lines = _wrap(text, font, size, width)
            if len(lines) <= max_lines:
                return size, lines
    size = attempts[-1][1][-1]
    return size, _wrap(text, font, size, width)


def _steps(largest: float, smallest: float) -> list[float]:
    return [largest - 0.5 * i for i in range(int((largest - smallest) / 0.5) + 1)]


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    matrix = [list(row) for row in segno.make(url, error="m").matrix_iter(border=0)]
    module = size / len(matrix)
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        top = y + size - (r + 1) * module
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            path.rect(x + start * module, top, (c - start) * module, module * 1.01)
    canvas.setFillColor(colors.black)
    canvas.drawPath(path, stroke=0, fill=1)


def _brand(studio: Studio):
    try:
        return colors.HexColor(studio.brand_color)
    except (ValueError, TypeError):
        return INK


def _draw_card(canvas: Canvas, card: Card, x: float, y: float, brand) -> None:
    def baseline(from_top_mm: float) -> float:
        return y + CARD_H - from_top_mm * mm

    left = x + PAD
    # faint outline for scissors
    canvas.setStrokeColor(GUIDE)
    canvas.setLineWidth(0.3)
    canvas.setDash(1, 2)
    canvas.rect(x, y, CARD_W, CARD_H, stroke=1, fill=0)
    canvas.setDash()

    size, lines = _fit(card.heading, BOLD, TEXT_W, (1, _steps(8, 5.5)), (2, _steps(6, 5)))
    canvas.setFillColor(brand)
    canvas.setFont(BOLD, size)
    first = 8.5 - (len(lines) - 1) * size * 1.15 / mm
    for i, line in enumerate(lines):
        canvas.drawString(left, baseline(first + i * size * 1.15 / mm), line)

    cursor = 14.5
    size, lines = _fit(
        card.title, BOLD, TEXT_W, (1, _steps(13, 10)), (2, _steps(12, 8)), (3, _steps(9, 6.5))
    )
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, size)
    for line in lines:
        canvas.drawString(left, baseline(cursor), line)
        cursor += size * 1.15 / mm
    cursor += 0.6
    size, lines = _fit(card.subtitle, SANS, TEXT_W, (2, _steps(8, 5.5)))
    canvas.setFillColor(MUTED)
    canvas.setFont(SANS, size)
    for line in lines:
        canvas.drawString(left, baseline(cursor), line)
        cursor += size * 1.2 / mm

    canvas.setFont(SANS, 6.5)
    canvas.drawString(left, baseline(37.5), card.label)
    size, lines = _fit(card.code, MONO, TEXT_W + 4 * mm, (1, _steps(16, 10)))
    canvas.setFillColor(INK)
    canvas.setFont(MONO, size)
    canvas.drawString(left, baseline(44), lines[0])

    qr_x = x + CARD_W - PAD - QR_SIZE
    _draw_qr(canvas, card.url, qr_x, baseline(5 + QR_SIZE / mm), QR_SIZE)
    size, lines = _fit(
        card.expires, SANS, QR_SIZE + 6 * mm, (1, _steps(6.5, 5.5)), (2, _steps(6.5, 5))
    )
    canvas.setFillColor(MUTED)
    canvas.setFont(SANS, size)
    for i, line in enumerate(lines):
        canvas.drawCentredString(qr_x + QR_SIZE / 2, baseline(35 + i * size * 1.15 / mm), line)

    size, lines = _fit(
        card.instruction, SANS, CARD_W - 2 * PAD, (1, _steps(6.5, 5.5)), (2, _steps(6.5, 5))
    )
    canvas.setFont(SANS, size)
    first = 51 - (len(lines) - 1) * size * 1.15 / mm
    for i, line in enumerate(lines):
        canvas.drawString(left, baseline(first + i * size * 1.15 / mm), line)


def _draw_cut_marks(canvas: Canvas) -> None:
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(0.4)
    top, right = MARGIN_Y + ROWS * CARD_H, MARGIN_X + COLUMNS * CARD_W
    for column in range(COLUMNS + 1):
        x = MARGIN_X + column * CARD_W
        canvas.line(x, top + 2 * mm, x, top + 8 * mm)
        canvas.line(x, MARGIN_Y - 2 * mm, x, MARGIN_Y - 8 * mm)
    for row in range(ROWS + 1):
        y = MARGIN_Y + row * CARD_H
        canvas.line(MARGIN_X - 2 * mm, y, MARGIN_X - 10 * mm, y)
        canvas.line(right + 2 * mm, y, right + 10 * mm, y)


def render_cards(*, cards: list[Card], title: str, studio: Studio) -> bytes:
    """The PDF: ``cards`` in order, a new sheet for each group."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor(studio.name)
    canvas.setCreator("Pictureday")
    brand = _brand(studio)
    per_page = COLUMNS * ROWS
    pages = []
    for _group, group_cards in itertools.groupby(cards, key=lambda card: card.group):
        group_cards = list(group_cards)
        pages += [group_cards[i : i + per_page] for i in range(0, len(group_cards), per_page)]
    for number, page in enumerate(pages, start=1):
        _draw_cut_marks(canvas)
        footer = f"{title} · {number}/{len(pages)}"
        # in the bottom margin, between the cut marks
        size, lines = _fit(footer, SANS, CARD_W - 8 * mm, (1, _steps(7, 5)))
        canvas.setFillColor(MUTED)
        canvas.setFont(SANS, size)
        canvas.drawString(MARGIN_X + 4 * mm, MARGIN_Y - 6 * mm, lines[0])
        for index, card in enumerate(page):
            column, row = index % COLUMNS, index // COLUMNS
            x = MARGIN_X + column * CARD_W
            y = MARGIN_Y + (ROWS - 1 - row) * CARD_H
            _draw_card(canvas, card, x, y, brand)
        canvas.showPage()
    if not pages:
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def access_cards_pdf(*, codes: list[AccessCode], studio: Studio, title: str, request=None) -> bytes:
    """Cards for ``codes`` (in the studio's language), as PDF bytes."""
    register_fonts()
    with translation.override(studio.language):
        cards = [card_for(code=code, studio=studio, request=request) for code in codes]
        _check(title, SANS, _("Title"))
        return render_cards(cards=cards, title=title, studio=studio)
