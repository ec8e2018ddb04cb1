"""Report tables as CSV files a spreadsheet opens correctly.

UTF-8 with a byte-order mark by default (Excel reads it as UTF-8, not the system's code page);
a ``;`` delimiter with decimal commas for spreadsheets set up for Russia or Ukraine, where
``,`` is the decimal separator; and Windows-1251 on request for old software, any character it
lacks written as ``?`` instead of failing."""

import csv
import io
from datetime import date
from decimal import Decimal

from django.http import HttpResponse

from .tables import Table

ENCODINGS = {"utf-8": "utf-8-sig", "cp1251": "cp1251"}
DELIMITERS = {"comma": ",", "semicolon": ";"}


def _cell(value, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if decimal_comma and isinstance(value, Decimal):
        text = text.replace(".", ",")
    return text


def table_csv(table: Table, *, delimiter: str = "comma", encoding: str = "utf-8") -> bytes:
    separator = DELIMITERS.get(delimiter, ",")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow([column.label for column in table.columns])
    for row in table.rounded_rows():
        writer.writerow([_cell(value, separator == ";") for value in row])
    return buffer.getvalue().encode(ENCODINGS.get(encoding, "utf-8-sig"), errors="replace")


def csv_response(table: Table, filename: str, *, delimiter: str, encoding: str) -> HttpResponse:
    charset = "windows-1251" if encoding == "cp1251" else "utf-8"
    response = HttpResponse(
        table_csv(table, delimiter=delimiter, encoding=encoding),
        content_type=f"text/csv; charset={charset}",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
