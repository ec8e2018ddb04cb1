"""One-click unsubscribe: a signed token names the studio's schema, the channel and the
address, so the link works without a login and only on the studio that sent it."""

from django.core import signing

from tenants.models import Studio
from tenants.selectors import studio_url

SALT = "studio.campaigns.unsubscribe"


def unsubscribe_token(*, schema: str, channel: str, address: str) -> str:
    return signing.dumps([schema, channel, address.lower()], salt=SALT, compress=True)


def unsubscribe_read(*, token: str, schema: str) -> tuple[str, str] | None:
    """(channel, address) when the token is ours and was made for this studio."""
    try:
        made_for, channel, address = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return (channel, address) if made_for == schema else None


def unsubscribe_url(*, studio: Studio, channel: str, address: str) -> str:
    token = unsubscribe_token(schema=studio.schema_name, channel=channel, address=address)
    return studio_url(studio=studio, path=f"/unsubscribe/{token}/")
