from django import template
from django.conf import settings
from django.utils.translation import gettext as _

from saas_platform.accounts.models import Role
from studio.audit.labels import field_label

register = template.Library()


@register.filter
def audit_field(name: str) -> str:
    """A change's field in the reader's language."""
    return field_label(name)


@register.filter
def audit_value(value, field: str = "") -> str:
    """A stored value as a reader sees it: yes/no for flags, a dash for nothing, a role or a
    language by its name."""
    if value is None or value == "":
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if field == "role" and value in Role.values:
        return str(Role(value).label)
    if field == "language":
        return str(dict(settings.LANGUAGES).get(value, value))
    return str(value)
