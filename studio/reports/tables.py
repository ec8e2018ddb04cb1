"""A report table: what the page shows, the API returns and the CSV export writes, built once
so the three can never disagree."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from saas_platform.money import quantize

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

    def rounded_rows(self) -> list[list]:
        """Rows with money at its currency's precision (the table's, or the row's own
        ``currency`` column): amounts are stored with three decimals for every currency."""
        money = [i for i, column in enumerate(self.columns) if column.kind == MONEY]
        where = next((i for i, c in enumerate(self.columns) if c.key == "currency"), None)
        if not money:
            return self.rows
        rounded = []
        for row in self.rows:
            currency = self.currency or (row[where] if where is not None else "")
            row = list(row)
            for i in money:
                if currency and isinstance(row[i], Decimal):
                    row[i] = quantize(row[i], currency)
            rounded.append(row)
        return rounded

    def records(self) -> list[dict]:
        """Rows as dicts keyed by column, for the API."""
        return [
            {column.key: _plain(value) for column, value in zip(self.columns, row, strict=True)}
            for row in self.rounded_rows()
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
