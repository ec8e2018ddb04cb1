"""The papers: an agreement as a PDF to sign, and a school's statement as a PDF and a CSV.

Set in DejaVu like invoices and access cards (names are often Cyrillic). Callers choose the
language (the studio's); a statement is written from its frozen snapshot, and reportlab's
``invariant`` mode keeps the same input giving the same bytes."""

import csv
import io
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import formats
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from saas_platform.money import format_money, from_minor
from saas_platform.pdf_fonts import BOLD, SANS, register_fonts
from studio.ledger.models import period_title

from .models import Agreement, Basis, ProductKind

INK = colors.HexColor("#111827")
MUTED = colors.HexColor("#4b5563")
LINE = colors.HexColor("#d1d5db")


def _styles():
    base = ParagraphStyle("base", fontName=SANS, fontSize=9.5, leading=13, textColor=INK)
    return {
        "base": base,
        "muted": ParagraphStyle("muted", parent=base, textColor=MUTED, fontSize=8.5, leading=11),
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=18, leading=22),
        "head": ParagraphStyle("head", parent=base, fontName=BOLD),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "head_right": ParagraphStyle("head_right", parent=base, fontName=BOLD, alignment=TA_RIGHT),
    }


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _date(value) -> str:
    if not value:
        return "—"
    if isinstance(value, str):
        value = parse_date(value)
    return formats.date_format(value, "DATE_FORMAT")


def _build(story, *, title: str, author: str) -> bytes:
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
        author=author,
        invariant=1,
    ).build(story)
    return buffer.getvalue()


def basis_text(agreement: Agreement) -> str:
    """The commission in one sentence, in the active language."""
    currency = agreement.currency
    if agreement.basis == Basis.PERCENT:
        return _("%(percent)s%% of net sales (after discounts)") % {
            "percent": formats.localize(agreement.percent.normalize())
        }
    if agreement.basis == Basis.PER_ORDER:
        return _("%(amount)s per paid order") % {
            "amount": format_money(agreement.fixed_amount, currency)
        }
    bands = []
    for tier in agreement.tiers:
        percent = formats.localize(Decimal(tier["percent"]).normalize())
        if tier.get("up_to") is None:
            bands.append(_("%(percent)s%% above that") % {"percent": percent})
        else:
            bands.append(
                _("%(percent)s%% up to %(limit)s")
                % {"percent": percent, "limit": format_money(Decimal(tier["up_to"]), currency)}
            )
    return ", ".join(bands) + " — " + _("on the school’s cumulative net sales under this agreement")


def kinds_text(agreement: Agreement) -> str:
    return ", ".join(str(kind.label) for kind in ProductKind if kind in agreement.kinds)


def agreement_pdf(*, agreement: Agreement, studio) -> bytes:
    """The agreement to print and sign, in the active language."""
    register_fonts()
    s = _styles()
    title = _("Commission agreement %(number)s") % {"number": agreement.number}
    story = [_p(studio.name, s["head"])]
    for line in (getattr(studio, "legal_name", ""), getattr(studio, "legal_address", "")):
        if line:
            story.append(_p(line, s["muted"]))
    story += [Spacer(1, 6 * mm), _p(title, s["title"]), Spacer(1, 4 * mm)]
    valid_to = _date(agreement.valid_to) if agreement.valid_to else _("until ended")
    rows = [
        (_("School"), f"{agreement.school.name}\n{agreement.school.address}".strip()),
        (_("Commission"), basis_text(agreement)),
        (_("Products that count"), kinds_text(agreement)),
        (_("Valid"), f"{_date(agreement.valid_from)} — {valid_to}"),
        (_("Status"), agreement.get_status_display()),
    ]
    story.append(
        Table(
            [[_p(label, s["head"]), _p(value, s["base"])] for label, value in rows],
            colWidths=[45 * mm, None],
            style=TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ]
            ),
        )
    )
    terms = [
        _(
            "The studio pays the school the commission above on the net amount (after "
            "discounts) of each paid order line of the school's classes and picture days."
        ),
        _(
            "A line counts when its payment is received while this agreement is signed and "
            "valid. Refunded sales give back their commission."
        ),
        _(
            "The studio sends the school a statement for each closed month and pays what is "
            "due by bank transfer."
        ),
    ]
    story.append(Spacer(1, 6 * mm))
    story += [_p(f"{number}. {text}", s["base"]) for number, text in enumerate(terms, 1)]
    story.append(Spacer(1, 18 * mm))
    story.append(
        Table(
            [
                [_p(studio.name, s["muted"]), _p(agreement.school.name, s["muted"])],
                [_p(_("Signature, date"), s["base"]), _p(_("Signature, date"), s["base"])],
            ],
            colWidths=[None, None],
            style=TableStyle([("LINEABOVE", (0, 1), (-1, 1), 0.8, INK)]),
        )
    )
    return _build(story, title=title, author=studio.name)


DETAIL_SIZE = 8
CELL_PADDING_MM = 2  # reportlab's default 6 pt: 3 pt each side


def _clip(text, width_mm: float, font: str = SANS) -> str:
    """``text`` cut with an ellipsis to fit a detail column ``width_mm`` wide."""
    text = str(text)
    room = (width_mm - CELL_PADDING_MM) * mm
    if stringWidth(text, font, DETAIL_SIZE) <= room:
        return text
    while text and stringWidth(text + "…", font, DETAIL_SIZE) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def statement_groups(snapshot: dict) -> list[dict]:
    """The statement's lines summed by picture day and class: items sold (refunds not
    counted), their net, and the commission less what refunds reversed."""
    groups: dict[tuple[str, str], dict] = {}
    for line in snapshot["lines"]:
        key = (line["picture_day"], line["class"])
        group = groups.setdefault(
            key,
            {
                "picture_day": key[0],
                "class": key[1],
                "items": 0,
                "net": Decimal(0),
                "commission": 0,
            },
        )
        if not line["reversal"]:
            group["items"] += 1
            group["net"] += Decimal(line["net"] or 0)
        group["commission"] += line["commission"]
    return sorted(groups.values(), key=lambda g: (g["picture_day"], g["class"]))


def _money(snapshot: dict, minor: int) -> str:
    return format_money(from_minor(minor, snapshot["currency"]), snapshot["currency"])


def statement_pdf(*, snapshot: dict, studio) -> bytes:
    """The statement made from its snapshot, in the active language."""
    register_fonts()
    s = _styles()
    title = _("Commission statement %(period)s") % {"period": period_title(snapshot["period"])}
    story = [_p(snapshot["studio"], s["head"]), Spacer(1, 4 * mm), _p(title, s["title"])]
    story.append(_p(snapshot["school"], s["head"]))
    story.append(_p(f"{_date(snapshot['starts'])} — {_date(snapshot['ends'])}", s["muted"]))
    story.append(Spacer(1, 5 * mm))
    totals = [
        (_("Opening balance"), snapshot["opening"]),
        (_("Accrued"), snapshot["accrued"]),
        (_("Reversed"), -snapshot["reversed"]),
        (pgettext("commission", "Paid"), -snapshot["paid"]),
        (_("Closing balance (due)"), snapshot["closing"]),
    ]
    story.append(
        Table(
            [
                [_p(label, s["base"]), _p(_money(snapshot, value), s["right"])]
                for label, value in totals
            ],
            colWidths=[60 * mm, 40 * mm],
            hAlign="LEFT",
            style=TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.8, INK)]),
        )
    )
    story.append(Spacer(1, 6 * mm))
    # By picture day and class, not line by line: a big school sells hundreds of lines a
    # month, which the CSV lists in full. A month's close stays in seconds this way too.
    widths = [54, 36, 20, 30, 34]
    header = [_("Picture day"), _("Class"), _("Order lines"), _("Net sales"), _("Commission")]
    rows = [[_clip(text, width, BOLD) for text, width in zip(header, widths, strict=True)]]
    for group in statement_groups(snapshot):
        texts = [
            group["picture_day"] or "—",
            group["class"] or "—",
            str(group["items"]),
            format_money(group["net"], snapshot["currency"]),
            _money(snapshot, group["commission"]),
        ]
        rows.append([_clip(text, width) for text, width in zip(texts, widths, strict=True)])
    if not snapshot["lines"]:
        rows.append([_("No sales in this period.")] + [""] * 4)
    story.append(
        Table(
            rows,
            colWidths=[width * mm for width in widths],
            repeatRows=1,
            hAlign="LEFT",
            style=TableStyle(
                [
                    ("FONT", (0, 0), (-1, 0), BOLD, DETAIL_SIZE),
                    ("FONT", (0, 1), (-1, -1), SANS, DETAIL_SIZE),
                    ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                    ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.3, LINE),
                ]
            ),
        )
    )
    if snapshot["lines"]:
        story += [
            Spacer(1, 2 * mm),
            _p(_("Every order line, refunds included, is in the statement's CSV."), s["muted"]),
        ]
    if snapshot["payouts"]:
        story += [Spacer(1, 6 * mm), _p(_("Payments to the school"), s["head"])]
        story.append(
            Table(
                [
                    [
                        _p(_date(payout["date"]), s["base"]),
                        _p(payout["reference"], s["base"]),
                        _p(_money(snapshot, payout["amount"]), s["right"]),
                    ]
                    for payout in snapshot["payouts"]
                ],
                colWidths=[30 * mm, None, 35 * mm],
            )
        )
    return _build(story, title=title, author=snapshot["studio"])


def statement_csv(*, snapshot: dict, delimiter: str = ",") -> bytes:
    """The statement's lines for a spreadsheet: UTF-8 with a BOM (Excel reads Cyrillic
    then), amounts as plain decimals, the totals at the end. With ``;`` (what Excel expects
    where the decimal separator is a comma, Russian among them) amounts take a decimal comma
    too."""
    currency = snapshot["currency"]
    point = "," if delimiter == ";" else "."

    def amount(value) -> str:
        return str(value).replace(".", point)

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(
        [
            _("Date"),
            _("Order"),
            _("Class"),
            _("Picture day"),
            _("Item"),
            _("Net"),
            _("Commission"),
            _("Currency"),
        ]
    )
    for line in snapshot["lines"]:
        writer.writerow(
            [
                line["date"],
                line["order"],
                line["class"],
                line["picture_day"],
                line["description"],
                amount(line["net"]),
                amount(from_minor(line["commission"], currency)),
                currency,
            ]
        )
    writer.writerow([])
    for label, key in (
        (_("Opening balance"), "opening"),
        (_("Accrued"), "accrued"),
        (_("Reversed"), "reversed"),
        (pgettext("commission", "Paid"), "paid"),
        (_("Closing balance (due)"), "closing"),
    ):
        writer.writerow(
            [label, "", "", "", "", "", amount(from_minor(snapshot[key], currency)), currency]
        )
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")
