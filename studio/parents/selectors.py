"""Reads of a parent's family."""

from dataclasses import dataclass, field

from studio.access.models import AccessCodeKind
from studio.schools.models import SchoolClass, Student
from studio.shoots.models import Shoot

from .models import FamilyCode


def family_code_ids(*, parent) -> list[int]:
    return list(FamilyCode.objects.filter(parent=parent).values_list("access_code_id", flat=True))


@dataclass
class FamilyChild:
    student: Student
    school_class: SchoolClass  # of the latest picture day's code
    shoots: list[Shoot] = field(default_factory=list)


def family_children(*, parent) -> list[FamilyChild]:
    """The children of the family, one entry per child with every picture day the family
    holds a code of (a child photographed in autumn and spring is one child), in the order
    they were added, for the account page."""
    children: dict[int, FamilyChild] = {}
    family_codes = (
        FamilyCode.objects.filter(parent=parent, access_code__kind=AccessCodeKind.STUDENT)
        .select_related(
            "access_code__student", "access_code__school_class__school", "access_code__shoot"
        )
        .order_by("added_at", "id")
    )
    for family_code in family_codes:
        code = family_code.access_code
        child = children.setdefault(code.student_id, FamilyChild(code.student, code.school_class))
        if code.shoot in child.shoots:  # a regenerated code: the same picture day
            continue
        child.shoots.append(code.shoot)
        child.shoots.sort(key=lambda shoot: (shoot.date, shoot.pk))
        if child.shoots[-1] == code.shoot:
            child.school_class = code.school_class
    return list(children.values())
