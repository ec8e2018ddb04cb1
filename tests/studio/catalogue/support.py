"""What the catalogue's test modules share besides fixtures."""

from datetime import UTC, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError

D = Decimal
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def codes(error: ValidationError) -> dict:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}
