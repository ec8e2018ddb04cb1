"""Reads for the privacy pages."""

from django.db.models import Count, Q

from studio.access.models import AccessCode
from studio.orders.models import OrderLine
from studio.photos.models import Photo
from studio.schools.models import Student


def erasure_preview(*, student) -> dict:
    """What erasing the child would remove, for the confirm page."""
    photos = Photo.objects.filter(students=student).aggregate(
        own=Count("pk", filter=Q(is_group=False)), group=Count("pk", filter=Q(is_group=True))
    )
    return {
        "own_photos": photos["own"],
        "group_photos": photos["group"],
        "access_codes": AccessCode.objects.filter(student=student).count(),
        "order_lines": OrderLine.objects.filter(child=student).count(),
    }


def parent_decidable_student_ids(*, parent) -> set[int]:
    """The children whose consent ``parent`` may give or withdraw: those of whom their
    account holds a live (not revoked) code."""
    return set(
        Student.objects.filter(
            access_codes__families__parent=parent, access_codes__revoked_at__isnull=True
        ).values_list("pk", flat=True)
    )
