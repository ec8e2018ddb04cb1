"""Reads of a parent's family."""

from studio.access.models import AccessCodeKind

from .models import FamilyCode


def family_code_ids(*, parent) -> list[int]:
    return list(FamilyCode.objects.filter(parent=parent).values_list("access_code_id", flat=True))


def family_children(*, parent) -> list:
    """The children of the family (one entry per student code), for the account page."""
    return [
        fc.access_code
        for fc in FamilyCode.objects.filter(
            parent=parent, access_code__kind=AccessCodeKind.STUDENT
        ).select_related(
            "access_code__student", "access_code__school_class__school", "access_code__shoot"
        )
    ]
