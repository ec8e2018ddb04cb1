"""Signed download links. A token signs (order id, photo id or "zip", the grant's secret) with
the site's key, salted with the studio's schema: changing any part breaks the signature, a
token from another studio never verifies here, and rotating the grant's secret (re-issue)
retires every token made before. Expiry and revocation live on the grant, not in the token,
so they are checked afresh on every request. Tokens carry no timestamp, so the same link is
the same URL wherever it is made (the e-mail, the order page, a cached thumbnail)."""

from dataclasses import dataclass

from django.core import signing
from django.db import connection

ZIP = "zip"


def _salt() -> str:
    return f"pictureday.downloads:{connection.schema_name}"


def link_token(*, order_id: int, item: int | str, secret: str) -> str:
    return signing.Signer(salt=_salt()).sign_object([order_id, item, secret])


@dataclass(frozen=True)
class LinkClaim:
    order_id: int
    item: int | str  # a photo id or ZIP
    secret: str


def link_claim(token: str) -> LinkClaim | None:
    """What a token says, or None if it was not signed here (tampered, made up, elsewhere)."""
    try:
        order_id, item, secret = signing.Signer(salt=_salt()).unsign_object(token)
    except (signing.BadSignature, TypeError, ValueError):
        try:  # a link e-mailed before tokens lost their timestamp
            order_id, item, secret = signing.loads(token, salt=_salt())
        except (signing.BadSignature, TypeError, ValueError):
            return None
    if not isinstance(order_id, int) or not isinstance(secret, str):
        return None
    if not (item == ZIP or (isinstance(item, int) and not isinstance(item, bool))):
        return None
    return LinkClaim(order_id, item, secret)
