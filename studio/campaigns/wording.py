"""What a campaign says: the default wording of each kind (translated), the studio's own
(``MessageTemplate``) and the placeholders both may use. Placeholders are replaced by name
only (never ``str.format``, which would let a template reach into objects)."""

import re

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import CampaignKind, MessageTemplate

PLACEHOLDERS = {
    "child": _("the child's name (several, comma-separated)"),
    "code": _("the child's access code"),
    "link": _("the storefront link with the code filled in"),
    "deadline": _("the sales deadline"),
    "late_fee": _("the picture day's late fee"),
    "late_until": _("the end of the picture day's late orders"),
    "studio": _("the studio's name"),
    "school": _("the school's name"),
    "picture_day": _("the picture day's name"),
}
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

DEFAULTS = {
    CampaignKind.PHOTOS_ONLINE: (
        _("{studio}: the photos of {child} are online"),
        _(
            "Hello,\n\nThe photos of {child} from “{picture_day}” ({school}) are online.\n\n"
            "Access code: {code}\nSee them and order: {link}\n\n"
            "Orders are open until {deadline}."
        ),
    ),
    CampaignKind.REMINDER: (
        _("{studio}: {child}'s photos can be ordered until {deadline}"),
        _(
            "Hello,\n\nYou have not ordered the photos of {child} from “{picture_day}” yet. "
            "Orders close on {deadline}.\n\nAccess code: {code}\nOrder here: {link}"
        ),
    ),
    CampaignKind.LAST_CHANCE: (
        _("{studio}: last chance for {child}'s photos"),
        _(
            "Hello,\n\nOrders for “{picture_day}” closed on {deadline}, but you can still "
            "order the photos of {child} until {late_until}, with a late fee of {late_fee}.\n\n"
            "Access code: {code}\nOrder here: {link}"
        ),
    ),
}


# Texts are short: one or two messages. The link and the opt-out hint are added when sent.
SMS_DEFAULTS = {
    CampaignKind.PHOTOS_ONLINE: _("{studio}: the photos of {child} are online. Code {code}"),
    CampaignKind.REMINDER: _("{studio}: order the photos of {child} by {deadline}. Code {code}"),
    CampaignKind.LAST_CHANCE: _(
        "{studio}: order the photos of {child} until {late_until}, late fee {late_fee}. Code {code}"
    ),
}
SMS_OPT_OUT = _("STOP to opt out")


def placeholders_check(text: str) -> None:
    """Refuses a placeholder nobody fills (a typo would reach every family as written)."""
    unknown = sorted(set(PLACEHOLDER.findall(text)) - set(PLACEHOLDERS))
    if unknown:
        raise ValidationError(
            gettext("Unknown placeholder: %(names)s. Use: %(known)s.")
            % {
                "names": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
            },
            code="placeholder",
        )


def placeholders_fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def wording_for(*, kind: str, language: str) -> tuple[str, str, bool]:
    """(subject, body, is_own) in ``language``: the studio's text when it wrote one, else the
    default translated."""
    own = MessageTemplate.objects.filter(kind=kind, language=language).first()
    if own is not None:
        return own.subject, own.body, True
    subject, body = DEFAULTS[CampaignKind(kind)]
    with translation.override(language):
        return str(subject), str(body), False


def sms_wording_for(*, kind: str, language: str) -> tuple[str, bool]:
    """(text, is_own): the studio's SMS wording of ``kind`` in ``language``, else the default."""
    own = (
        MessageTemplate.objects.filter(kind=kind, language=language)
        .exclude(sms="")
        .values_list("sms", flat=True)
        .first()
    )
    if own:
        return own, True
    return sms_default(kind=kind, language=language), False


def sms_default(*, kind: str, language: str) -> str:
    with translation.override(language):
        return str(SMS_DEFAULTS[CampaignKind(kind)])


def sms_opt_out_hint(language: str) -> str:
    with translation.override(language):
        return str(SMS_OPT_OUT)
