from django.utils.formats import date_format
from django.utils.translation import gettext as _

from saas_platform.support import support_email
from tenants.models import Studio, StudioStatus

STAFF_PREFIXES = ("/staff/",)


def licence_banner(request):
    """A warning on staff pages while a payment is overdue or the licence suspended."""
    studio = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    if (
        not isinstance(studio, Studio)
        or not request.path.startswith(STAFF_PREFIXES)
        or user is None
        or not user.is_authenticated
    ):
        return {}
    if studio.status == StudioStatus.PAST_DUE:
        text = _(
            "Your last payment to Pictureday failed. Update your card by %(date)s or the "
            "studio will be suspended."
        ) % {"date": date_format(studio.grace_until, "DATE_FORMAT") if studio.grace_until else "—"}
    elif studio.status == StudioStatus.BLOCKED:
        # billing cannot lift a block: say who blocked it and why, not "suspended"
        text = _(
            "Pictureday has blocked your studio: the storefront takes no orders and staff "
            "pages are read-only. Your data is kept. Reason: %(reason)s"
        ) % {"reason": studio.status_reason or "—"}
        if email := support_email():
            text += " — " + _("to sort it out, write to %(email)s.") % {"email": email}
        return {"licence_banner": text, "licence_blocked": True}
    elif studio.is_read_only:
        text = _(
            "Your studio is suspended: the storefront takes no orders and staff pages are "
            "read-only. Your data is kept."
        )
    else:
        return {}
    return {"licence_banner": text}
