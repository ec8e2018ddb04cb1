from django.db.models import Count, Q, Sum
from django.utils import timezone

from saas_platform.accounts.models import Role
from studio.core.limits import season_start
from studio.core.policy import Action, may
from studio.schools.models import hidden_students_q
from studio.shoots.selectors import shoots_visible_to

from .models import Photo, PhotoStatus, RetouchStatus


def photos_visible_to(*, user):
    """Photographers: photos of their picture days; retouchers: the queue and their own
    batches; managing roles: everything."""
    photos = Photo.objects.select_related("shoot", "school_class", "approved_version")
    if not may(user, Action.VIEW_PRODUCTION):
        return photos.none()
    if user.role == Role.PHOTOGRAPHER:
        photos = photos.filter(shoot__in=shoots_visible_to(user=user))
    elif user.role == Role.RETOUCHER:
        photos = photos.filter(
            Q(retouch_status=RetouchStatus.QUEUED) | Q(retouch_batch__retoucher=user)
        )
    return photos


def photos_untagged(*, shoot):
    """Ready photos no parent would find: no student tagged and not a class's group photo."""
    return (
        Photo.objects.filter(shoot=shoot, status=PhotoStatus.READY, students__isnull=True)
        .exclude(is_group=True, school_class__isnull=False)
        .order_by("original_name", "id")
    )


def shoot_progress(*, shoot) -> dict:
    """Counts per processing status, for the live progress on the shoot page."""
    counts = dict(
        Photo.objects.filter(shoot=shoot)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    total = sum(counts.values())
    return {
        "total": total,
        **{status: counts.get(status, 0) for status in PhotoStatus.values},
        "done": counts.get(PhotoStatus.READY, 0) + counts.get(PhotoStatus.FAILED, 0),
    }


def photos_parents_may_see(photos):
    """Ready photos only, never one showing a hidden child (the studio's "do not publish" or
    consent withdrawn; the gallery and the paid downloads both narrow to this)."""
    return photos.filter(status=PhotoStatus.READY).exclude(hidden_students_q("students__"))


def storage_used_bytes() -> int:
    """Originals stored in the current studio's schema."""
    return Photo.objects.aggregate(total=Sum("size_bytes"))["total"] or 0


def photos_this_season() -> int:
    """Photos uploaded since the season began (1 August, as the console counts it)."""
    start = season_start(timezone.localdate())
    return Photo.objects.filter(uploaded_at__date__gte=start).count()


def photos_selected(*, user, shoot, ids) -> list:
    """The photos of ``shoot`` that ``user`` ticked in the grid (ids they may not see drop out)."""
    ids = [int(i) for i in ids if str(i).isdigit()]
    return list(photos_visible_to(user=user).filter(shoot=shoot, pk__in=ids))
