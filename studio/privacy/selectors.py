"""Reads for the privacy pages."""

from django.db.models import Count, Q

from studio.access.models import AccessCode
from studio.orders.models import OrderLine
from studio.photos.models import Photo
from studio.schools.models import Student


def photos_of_child(student):
    """The child's photos, each with ``children``: how many children it is tagged with (all
    its tags, not only this child's)."""
    return Photo.objects.filter(
        pk__in=Photo.objects.filter(students=student).values("pk")
    ).annotate(children=Count("students"))


def photos_shared(photos):
    """A class photo, or one of siblings together: the others' photo too, so erasing one
    child only takes the tag off it."""
    return photos.filter(Q(is_group=True) | Q(children__gt=1))


def photos_alone(photos):
    return photos.filter(is_group=False, children=1)


def erasure_preview(*, student) -> dict:
    """What erasing the child would remove, for the confirm page."""
    photos = photos_of_child(student)
    return {
        "own_photos": photos_alone(photos).count(),
        "group_photos": photos_shared(photos).count(),
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
