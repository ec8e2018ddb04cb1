"""Reads for the retouching queue: what waits for a retoucher and what for review."""

from django.db.models import Count, Q

from studio.photos.models import RetouchStatus
from studio.shoots.models import Shoot

from .models import RetouchBatch, RetouchEventKind

IN_WORK = [RetouchStatus.CLAIMED, RetouchStatus.SENT_BACK]


def retouch_queue():
    """Picture days with photos queued, in work or submitted for review, most to review
    first (the managers' overview; retouchers read ``queued``)."""
    return (
        Shoot.objects.annotate(
            queued=Count("photos", filter=Q(photos__retouch_status=RetouchStatus.QUEUED)),
            in_work=Count("photos", filter=Q(photos__retouch_status__in=IN_WORK)),
            to_review=Count("photos", filter=Q(photos__retouch_status=RetouchStatus.SUBMITTED)),
        )
        .filter(Q(queued__gt=0) | Q(in_work__gt=0) | Q(to_review__gt=0))
        .select_related("school")
        .order_by("-to_review", "date", "pk")
    )


def retouch_batches(*, retoucher=None):
    """Batches with their counts: one retoucher's own, or everyone's."""
    batches = RetouchBatch.objects.select_related("shoot").annotate(
        open_count=Count("photos", filter=Q(photos__retouch_status__in=IN_WORK)),
        total=Count("photos"),
    )
    if retoucher is not None:
        batches = batches.filter(retoucher=retoucher)
    return batches.order_by("-created_at", "-pk")


def sent_back_comment(photo) -> str:
    """The manager's latest comment on a photo that was sent back, else ""."""
    if photo.retouch_status != RetouchStatus.SENT_BACK:
        return ""
    event = photo.retouch_events.filter(kind=RetouchEventKind.SENT_BACK).order_by("pk").last()
    return event.comment if event else ""
