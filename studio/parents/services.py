"""Parents sign in with a one-time code and keep their children's access codes.

The code is six digits, valid ten minutes, burnt after five wrong guesses; sending is rate
limited per address (or phone) and per visitor by the view (``saas_platform.ratelimit``), so
guessing needs both a burnt code per five tries and a new message per code.

By phone (when the studio has an SMS provider): the number must be a parent phone on the
studio's roster or the phone of an existing parent account; any other number gets no text
(and the page does not say so, so the roster cannot be probed for numbers).
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saas_platform.accounts.models import PHONE_EMAIL_DOMAIN, Role, User
from saas_platform.accounts.services import user_language_remember
from studio.access.models import AccessCode
from studio.schools.models import Student

from .channels import channel_for
from .models import FamilyCode, ParentPhone, SignInCode

CODE_LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 5


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _hash(recipient: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{recipient}:{code}".encode(), hashlib.sha256).hexdigest()


def sign_in_code_send(
    *, email: str, studio, channel: str = "email", language: str | None = None, now=None
) -> SignInCode:
    """Makes a fresh code for ``email`` (older unused ones stop working) and sends it, in
    ``language`` (the page's) or else the parent's own."""
    recipient = normalise_email(email)
    record, code = _code_issue(recipient, now)
    channel_for(channel).send(recipient=recipient, code=code, studio=studio, language=language)
    return record


def _code_issue(recipient: str, now=None) -> tuple[SignInCode, str]:
    now = now or timezone.now()
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        SignInCode.objects.filter(recipient=recipient, used_at__isnull=True).update(used_at=now)
        record = SignInCode.objects.create(
            recipient=recipient, code_hash=_hash(recipient, code), expires_at=now + CODE_LIFETIME
        )
    return record, code


def phone_may_sign_in(*, phone: str) -> bool:
    """A parent phone on the roster, or the phone of an existing parent account."""
    return (
        ParentPhone.objects.filter(phone=phone).exists()
        or Student.objects.filter(parent_phones__contains=[phone]).exists()
    )


def sign_in_code_send_sms(
    *, phone: str, studio, language: str | None = None, now=None
) -> SignInCode | None:
    """Texts a fresh code to ``phone`` (E.164) through the studio's SMS provider when the
    number may sign in; None (nothing sent) otherwise."""
    if not phone_may_sign_in(phone=phone):
        return None
    record, code = _code_issue(phone, now)
    channel_for("sms").send(recipient=phone, code=code, studio=studio, language=language)
    return record


def sign_in_code_verify(*, email: str, code: str, language: str | None = None, now=None) -> User:
    """The parent's account for ``email`` when ``code`` is its live code (created on first
    sign-in), keeping ``language`` (the page's) for its e-mails; ``ValidationError``
    otherwise. Staff addresses are refused: staff sign in with their password."""
    recipient = normalise_email(email)
    _code_check(
        recipient,
        code,
        now,
        _("That code is not right or has expired. Check the latest e-mail, or ask for a new code."),
    )
    parent = parent_account_for(email=recipient)
    user_language_remember(user=parent, language=language)
    return parent


def sign_in_code_verify_sms(
    *, phone: str, code: str, language: str | None = None, now=None
) -> User:
    """The parent's account for ``phone`` when ``code`` is its live code: the account with
    this phone, or a new one (created on first sign-in)."""
    _code_check(
        phone,
        code,
        now,
        _("That code is not right or has expired. Check the latest SMS, or ask for a new code."),
    )
    parent = parent_account_for_phone(phone=phone)
    user_language_remember(user=parent, language=language)
    return parent


def _code_check(recipient: str, code: str, now, message: str) -> None:
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    now = now or timezone.now()
    wrong = ValidationError(message, code="invalid")
    # The attempt is counted in its own transaction, committed before the answer: raising
    # inside it would roll the count back and allow unlimited guesses.
    with transaction.atomic():
        record = (
            SignInCode.objects.select_for_update()
            .filter(recipient=recipient, used_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if record is not None and record.attempts < MAX_ATTEMPTS:
            record.attempts += 1
            matched = hmac.compare_digest(record.code_hash, _hash(recipient, code))
            if matched:
                record.used_at = now
            record.save(update_fields=["attempts", "used_at"])
    if record is None or record.used_at is None:
        if record is not None and record.attempts >= MAX_ATTEMPTS:
            raise ValidationError(_("Too many wrong codes. Ask for a new code."), code="burnt")
        raise wrong


def parent_account_for(*, email: str) -> User:
    recipient = normalise_email(email)
    user = User.objects.filter(email__iexact=recipient).first()
    if user is not None:
        if user.role != Role.PARENT:
            raise ValidationError(
                _("This address belongs to a staff account: please sign in with your password."),
                code="staff",
            )
        return user
    try:
        with transaction.atomic():
            return User.objects.create_user(email=recipient, password=None, role=Role.PARENT)
    except IntegrityError:
        return User.objects.get(email__iexact=recipient)


def parent_account_for_phone(*, phone: str) -> User:
    """The parent account signed in with ``phone``; a new one, with a placeholder address
    nothing is sent to, the first time."""
    known = ParentPhone.objects.select_related("parent").filter(phone=phone).first()
    if known is not None:
        return known.parent
    digits = "".join(ch for ch in phone if ch.isdigit())
    try:
        with transaction.atomic():
            parent = User.objects.create_user(
                email=f"phone-{digits}@{PHONE_EMAIL_DOMAIN}", password=None, role=Role.PARENT
            )
            ParentPhone.objects.create(parent=parent, phone=phone)
            return parent
    except IntegrityError:
        return ParentPhone.objects.select_related("parent").get(phone=phone).parent


def family_add_codes(*, parent: User, code_ids) -> int:
    """Keeps the access codes opened in this browser in the parent's account."""
    known = set(FamilyCode.objects.filter(parent=parent).values_list("access_code_id", flat=True))
    new = [pk for pk in dict.fromkeys(code_ids) if pk not in known]
    existing = set(AccessCode.objects.filter(pk__in=new).values_list("pk", flat=True))
    FamilyCode.objects.bulk_create(
        [FamilyCode(parent=parent, access_code_id=pk) for pk in new if pk in existing],
        ignore_conflicts=True,
    )
    return len(existing)
