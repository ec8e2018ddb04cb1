"""The plan's limits, checked by the services that create what they count (not the views),
so the API, imports and staff pages all stop at the same place with the same message."""

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _

GB = 10**9
UPGRADE_PATH = "/staff/billing/"


def _plan():
    from tenants.selectors import current_studio

    studio = current_studio()
    return studio.plan if studio.plan_id else None


def _refuse(message: str, code: str):
    upgrade = _("Upgrade your plan on the Billing page: %(path)s") % {"path": UPGRADE_PATH}
    raise ValidationError(
        f"{message} {upgrade}",
        code=code,
    )


def storage_used_bytes() -> int:
    """Originals stored in the current studio's schema."""
    from studio.photos.models import Photo

    return Photo.objects.aggregate(total=Sum("size_bytes"))["total"] or 0


def usage() -> dict:
    """Current figures of the current studio against its plan (for the billing page)."""
    from studio.core.selectors import studio_usage_counts

    plan = _plan()
    counts = studio_usage_counts()
    used_gb = storage_used_bytes() / GB
    return {
        "schools": (counts["schools"], plan.max_schools if plan else None),
        "staff": (counts["staff"], plan.max_staff if plan else None),
        "storage_gb": (round(used_gb, 2), plan.max_storage_gb if plan else None),
        "photos_this_season": (
            photos_this_season(),
            plan.max_photos_per_season if plan else None,
        ),
    }


def photos_this_season() -> int:
    """Photos uploaded since the season began (1 August, as the console counts it)."""
    from django.utils import timezone

    from operator_console.selectors import season_start
    from studio.photos.models import Photo

    start = season_start(timezone.localdate())
    return Photo.objects.filter(uploaded_at__date__gte=start).count()


def check_photos(*, adding: int = 1) -> None:
    plan = _plan()
    if plan is None or plan.max_photos_per_season is None:
        return
    if photos_this_season() + adding > plan.max_photos_per_season:
        _refuse(
            _("Your plan includes %(count)d photos per season, and they are used up.")
            % {"count": plan.max_photos_per_season},
            "plan_limit_photos",
        )


def check_schools(*, adding: int = 1) -> None:
    from studio.schools.models import School

    plan = _plan()
    if plan is None or plan.max_schools is None:
        return
    if School.objects.count() + adding > plan.max_schools:
        _refuse(
            _("Your plan allows %(count)d schools.") % {"count": plan.max_schools},
            "plan_limit_schools",
        )


def check_storage(*, adding_bytes: int) -> None:
    plan = _plan()
    if plan is None or plan.max_storage_gb is None:
        return
    if storage_used_bytes() + adding_bytes > plan.max_storage_gb * GB:
        _refuse(
            _("Your plan includes %(gb)d GB of photo storage, and it is full.")
            % {"gb": plan.max_storage_gb},
            "plan_limit_storage",
        )


def check_staff(*, adding: int = 1) -> None:
    """Active staff seats (owners included) against the plan's ``max_staff``."""
    from saas_platform.accounts.models import User
    from studio.core.policy import STAFF_ROLES

    plan = _plan()
    if plan is None or plan.max_staff is None:
        return
    seats = User.objects.filter(role__in=STAFF_ROLES, is_active=True).count()
    if seats + adding > plan.max_staff:
        _refuse(
            _("Your plan includes %(count)d staff seats, and they are taken.")
            % {"count": plan.max_staff},
            "plan_limit_staff",
        )
