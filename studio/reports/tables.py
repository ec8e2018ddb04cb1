"""A report table: what the page shows, the API returns and the CSV export writes, built once
so the three can never disagree."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# What a column holds, for formatting on the page and in CSV files.
TEXT, COUNT, MONEY, PERCENT, DURATION, DATE = (
    "text",
    "count",
    "money",
    "percent",
    "duration",
    "date",
)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = TEXT


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    currency: str = ""
    note: str = ""

    def records(self) -> list[dict]:
        """Rows as dicts keyed by column, for the API."""
        return [
            {column.key: _plain(value) for column, value in zip(self.columns, row, strict=True)}
            for row in self.rows
        ]

    def cells(self):
        """(column, value) pairs per row, for the template."""
        return [list(zip(self.columns, row, strict=True)) for row in self.rows]


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
