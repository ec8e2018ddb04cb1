"""Staff pay on paper and in files: a statement as a PDF and as CSV (UTF-8 with a BOM, so
Excel reads Cyrillic names), and a pay run as a bank-transfer CSV."""

import csv
import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from saas_platform.money import format_money, quantize
from saas_platform.pdf_fonts import BOLD, SANS, register_fonts
from tenants.selectors import studio_tzinfo

from .models import PayRun
from .selectors import Statement

INK = colors.HexColor("#111827")
LINE = colors.HexColor("#d1d5db")


def _summary_rows(st: Statement) -> list[tuple[str, object]]:
    rows = [(_("Opening balance"), st.opening)]
    rows += [(label, amount) for label, amount in st.earned.items()]
    rows += [
        (_("Earned"), st.earned_total),
        (_("Reversed"), -st.reversed),
        (_("Adjustments"), st.adjustments),
        (pgettext("statement", "Paid"), -st.paid),
        (_("Closing balance"), st.closing),
    ]
    return rows


def _when(moment, studio) -> str:
    return date_format(timezone.localtime(moment, studio_tzinfo(studio)), "SHORT_DATE_FORMAT")


def statement_csv(st: Statement, studio) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Person"), str(st.person)])
    writer.writerow([_("Period"), st.starts.isoformat(), st.ends.isoformat()])
    writer.writerow([_("Currency"), st.currency])
    for label, amount in _summary_rows(st):
        writer.writerow([label, f"{amount}"])
    writer.writerow([])
    writer.writerow([_("Date"), _("Kind"), _("Description"), _("Amount")])
    for line in st.lines:
        writer.writerow(
            [_when(line.occurred_at, studio), line.label, line.description, f"{line.amount}"]
        )
    return out.getvalue().encode("utf-8-sig")


def statement_pdf(st: Statement, studio) -> bytes:
    register_fonts()
    base = ParagraphStyle("base", fontName=SANS, fontSize=9.5, leading=13, textColor=INK)
    head = ParagraphStyle("head", parent=base, fontName=BOLD)
    title = ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=18, leading=22)
    right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)

    def p(text, style=base):
        return Paragraph(escape(str(text)), style)

    def money(amount):
        return format_money(amount, st.currency)

    story = [
        p(studio.name, head),
        p(_("Pay statement"), title),
        p(f"{st.person} · {date_format(st.starts)} – {date_format(st.ends)}"),
        Spacer(1, 6 * mm),
    ]
    summary = Table(
        [[p(label), p(money(amount), right)] for label, amount in _summary_rows(st)],
        colWidths=[90 * mm, 40 * mm],
        hAlign="LEFT",
        style=TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE)]),
    )
    story += [summary, Spacer(1, 6 * mm)]
    rows = [
        [p(_("Date"), head), p(_("Kind"), head), p(_("Description"), head), p(_("Amount"), head)]
    ]
    for line in st.lines:
        rows.append(
            [
                p(_when(line.occurred_at, studio)),
                p(line.label),
                p(line.description),
                p(money(line.amount), right),
            ]
        )
    if len(rows) > 1:
        table = Table(rows, colWidths=[24 * mm, 40 * mm, 80 * mm, 30 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.4, LINE),
                ]
            )
        )
        story.append(table)
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, title=_("Pay statement")
    ).build(story)
    return buffer.getvalue()


def pay_run_csv(run: PayRun) -> bytes:
    """What the bank needs per transfer: name, account, amount, currency, reference."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "account", "amount", "currency", "reference"])
    for line in run.lines.all():
        writer.writerow(
            [
                line.name,
                line.bank_account,
                f"{quantize(line.amount, run.currency)}",
                run.currency,
                line.reference,
            ]
        )
    return out.getvalue().encode("utf-8-sig")
