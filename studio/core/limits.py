"""The plan's limits, checked by the services that create what they count (not the views),
so the API, imports and staff pages all stop at the same place with the same message.

The creating app counts what it owns and passes the figure in, so these rules sit below every
app that checks them (as the policy does)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from saas_platform.accounts.models import User
from tenants.selectors import current_studio

from .policy import STAFF_ROLES

GB = 10**9
UPGRADE_PATH = "/staff/billing/"


def season_start(today: datetime.date) -> datetime.date:
    """The school year, and so a plan's season, starts on 1 August."""
    year = today.year if today.month >= 8 else today.year - 1
    return datetime.date(year, 8, 1)


def active_staff():
    """Staff seats in use (owners included)."""
    return User.objects.filter(role__in=STAFF_ROLES, is_active=True)


def current_plan():
    studio = current_studio()
    return studio.plan if studio.plan_id else None


def _refuse(message: str, code: str):
    upgrade = _("Upgrade your plan on the Billing page: %(path)s") % {"path": UPGRADE_PATH}
    raise ValidationError(f"{message} {upgrade}", code=code)


def check_photos(*, used_this_season: int, adding: int = 1) -> None:
    plan = current_plan()
    if plan is None or plan.max_photos_per_season is None:
        return
    if used_this_season + adding > plan.max_photos_per_season:
        _refuse(
            _("Your plan includes %(count)d photos per season, and they are used up.")
            % {"count": plan.max_photos_per_season},
            "plan_limit_photos",
        )


def check_schools(*, existing: int, adding: int = 1) -> None:
    plan = current_plan()
    if plan is None or plan.max_schools is None:
        return
    if existing + adding > plan.max_schools:
        _refuse(
            _("Your plan allows %(count)d schools.") % {"count": plan.max_schools},
            "plan_limit_schools",
        )


def check_storage(*, used_bytes: int, adding_bytes: int) -> None:
    plan = current_plan()
    if plan is None or plan.max_storage_gb is None:
        return
    if used_bytes + adding_bytes > plan.max_storage_gb * GB:
        _refuse(
            _("Your plan includes %(gb)d GB of photo storage, and it is full.")
            % {"gb": plan.max_storage_gb},
            "plan_limit_storage",
        )


def check_staff(*, adding: int = 1) -> None:
    """Active staff seats (owners included) against the plan's ``max_staff``."""
    plan = current_plan()
    if plan is None or plan.max_staff is None:
        return
    if active_staff().count() + adding > plan.max_staff:
        _refuse(
            _("Your plan includes %(count)d staff seats, and they are taken.")
            % {"count": plan.max_staff},
            "plan_limit_staff",
        )
