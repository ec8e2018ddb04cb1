"""The invoice of an order as a PDF: who sold what to whom, for how much, what was paid and
what is still due, and for bank transfers what to write on the payment.

Names are often Cyrillic, so the text is set in DejaVu like the access cards (reportlab's
built-in fonts have no Cyrillic); ``register_fonts`` says exactly what is missing otherwise.
"""

import io
from decimal import Decimal, InvalidOperation
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from saas_platform.money import format_money
from saas_platform.pdf_fonts import BOLD, SANS, register_fonts
from tenants.selectors import studio_tzinfo

from .models import Order

INK = colors.HexColor("#111827")
MUTED = colors.HexColor("#4b5563")
LINE = colors.HexColor("#d1d5db")
BANK_TRANSFER = "bank_transfer"


def _styles():
    base = ParagraphStyle("base", fontName=SANS, fontSize=9.5, leading=13, textColor=INK)
    return {
        "base": base,
        "muted": ParagraphStyle("muted", parent=base, textColor=MUTED, fontSize=8.5, leading=11),
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=20, leading=24),
        "studio": ParagraphStyle("studio", parent=base, fontName=BOLD, fontSize=13, leading=16),
        "head": ParagraphStyle("head", parent=base, fontName=BOLD),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "head_right": ParagraphStyle("head_right", parent=base, fontName=BOLD, alignment=TA_RIGHT),
    }


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _logo(studio):
    """The studio's logo, 18 mm high, or None if it has none or it cannot be read."""
    if not getattr(studio, "logo", None):
        return None
    try:
        with studio.logo.open("rb") as handle:
            data = io.BytesIO(handle.read())
        width, height = ImageReader(data).getSize()
        data.seek(0)
        return Image(data, width=18 * mm * width / height, height=18 * mm)
    except Exception:  # noqa: BLE001 - a broken logo must not stop the invoice
        return None


def _bill_to(order: Order) -> list[str]:
    delivery = order.delivery or {}
    name = delivery.get("name") or (order.parent.full_name if order.parent else "")
    lines = [name] if name else []
    if delivery.get("method") == "home":
        lines += [
            delivery.get("address", ""),
            f"{delivery.get('postcode', '')} {delivery.get('city', '')}",
        ]
        lines.append(delivery.get("country", ""))
    lines.append(order.email)
    return [line.strip() for line in lines if line and line.strip()]


def _amount(raw) -> Decimal | None:
    try:
        return Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None


def invoice_pdf(*, order: Order, studio) -> bytes:
    """The invoice of ``order`` sold by ``studio``, in the active language."""
    register_fonts()
    s = _styles()
    currency = order.currency

    def money(amount) -> str:
        return format_money(amount, currency)

    issued = date_format(timezone.localtime(order.created_at, studio_tzinfo(studio)), "DATE_FORMAT")
    story = []

    header = [_p(studio.name, s["studio"])]
    # The seller as the owner set it at /staff/settings/: legal name, address and contact.
    seller = [getattr(studio, "legal_name", ""), getattr(studio, "legal_address", "")]
    seller += [getattr(studio, "contact_email", ""), getattr(studio, "contact_phone", "")]
    header += [_p(line, s["muted"]) for line in seller if line]
    logo = _logo(studio)
    story.append(
        Table(
            [[logo, header] if logo else [header]],
            colWidths=[25 * mm, None] if logo else [None],
            style=TableStyle(
                [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]
            ),
            hAlign="LEFT",
        )
    )
    story += [Spacer(1, 6 * mm), _p(_("Invoice %(number)s") % {"number": order.number}, s["title"])]
    story.append(_p(_("Date: %(date)s") % {"date": issued}, s["muted"]))
    story.append(Spacer(1, 5 * mm))
    story.append(_p(_("Bill to"), s["head"]))
    story.append(_p("\n".join(_bill_to(order)), s["base"]))
    story.append(Spacer(1, 6 * mm))

    rows = [
        [
            _p(_("Item"), s["head"]),
            _p(_("Unit price"), s["head_right"]),
            _p(_("Qty"), s["head_right"]),
            _p(_("Amount"), s["head_right"]),
        ]
    ]
    for line in order.lines.all():
        description = [_p(line.description, s["base"])]
        for label, raw in line.adjustments or []:
            amount = _amount(raw)
            if amount is not None:
                description.append(_p(f"{label}: {money(amount)}", s["muted"]))
        gross = [_p(money(line.gross), s["right"])] if line.adjustments else []
        rows.append(
            [
                description,
                _p(money(line.unit_price), s["right"]),
                _p(line.quantity, s["right"]),
                [*gross, _p(money(line.net), s["head_right"])],
            ]
        )
    table = Table(rows, colWidths=[None, 30 * mm, 14 * mm, 32 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.4, LINE),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    story += [table, Spacer(1, 4 * mm)]

    totals = [(_("Subtotal"), money(order.subtotal), False)]
    if order.discount_total:
        totals.append((_("Discounts"), money(-order.discount_total), False))
    totals.append((_("Total"), money(order.total), True))
    totals.append((_("Paid"), money(order.paid_total), False))
    if order.refunded_total:
        totals.append((_("Refunded"), money(order.refunded_total), False))
    totals.append((_("Balance due"), money(order.balance_due), True))
    story.append(
        Table(
            [
                [
                    _p(label, s["head_right" if bold else "right"]),
                    _p(value, s["head_right" if bold else "right"]),
                ]
                for label, value, bold in totals
            ],
            colWidths=[45 * mm, 35 * mm],
            hAlign="RIGHT",
            style=TableStyle(
                [
                    (
                        "LINEABOVE",
                        (0, 2 if order.discount_total else 1),
                        (-1, 2 if order.discount_total else 1),
                        0.8,
                        INK,
                    )
                ]
            ),
        )
    )

    if order.payment_method == BANK_TRANSFER:
        story += [Spacer(1, 8 * mm), _p(_("Payment by bank transfer"), s["head"])]
        story.append(
            _p(
                _("Please write %(reference)s as the payment reference.")
                % {"reference": order.number},
                s["base"],
            )
        )
        bank_details = (getattr(studio, "bank_details", "") or "").strip()
        if bank_details:
            story += [Spacer(1, 2 * mm), _p(bank_details, s["base"])]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=_("Invoice %(number)s") % {"number": order.number},
        author=studio.name,
        invariant=1,
    )
    document.build(story)
    return buffer.getvalue()
