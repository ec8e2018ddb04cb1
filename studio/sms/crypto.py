"""The providers' secrets at rest: Fernet (AES-128-CBC + HMAC) with a key derived from
``SMS_CREDENTIALS_KEY`` (or, when unset, ``SECRET_KEY``). Rotating that key makes the stored
secrets unreadable: the owner enters them again."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    secret = getattr(settings, "SMS_CREDENTIALS_KEY", "") or settings.SECRET_KEY
    digest = hashlib.sha256(b"pictureday-sms-credentials:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def secret_encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def secret_decrypt(token: str) -> str:
    """The secret, or "" when there is none or the key changed since it was stored."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""
