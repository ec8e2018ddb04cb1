"""Whether a code opens its gallery now: read by the selectors (the codes opened in a browser)
and by the services (resolving what a parent typed)."""

import datetime
from enum import StrEnum

from studio.shoots.models import ShootStatus

from .models import AccessCode


class Reason(StrEnum):
    """Why a typed code opens nothing. Parents see one message for UNKNOWN, REVOKED and EXPIRED
    (telling them apart would tell a guesser which codes once existed)."""

    MALFORMED = "malformed"  # cannot be a code at all (length, symbols): says nothing secret
    UNKNOWN = "unknown"
    REVOKED = "revoked"
    EXPIRED = "expired"
    NOT_OPEN = "not_open"  # a live code of a picture day whose gallery is not published yet


def access_code_state(*, code: AccessCode, now: datetime.datetime) -> Reason | None:
    """None when ``code`` opens its gallery now, otherwise why not."""
    shoot = code.shoot
    if code.revoked_at is not None:
        return Reason.REVOKED
    if (
        code.expires_at <= now
        or (shoot.sales_close_at is not None and shoot.sales_close_at <= now)
        or shoot.status == ShootStatus.CLOSED
    ):
        return Reason.EXPIRED
    if shoot.status != ShootStatus.PUBLISHED:
        return Reason.NOT_OPEN
    return None
