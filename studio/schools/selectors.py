"""Reads of schools, classes and students. Who may see which school is decided by
``schools_visible_to`` (principals: only their own)."""

from django.db.models import Count, Q

from saas_platform.accounts.models import Role, User

from .models import School, SchoolClass, Student


def schools_visible_to(*, user):
    """Principals see only the schools they are bound to; managing roles see all."""
    schools = School.objects.all()
    if user.role == Role.PRINCIPAL:
        schools = schools.filter(principals=user)
    return schools


def school_list(*, user) -> list[School]:
    """The schools ``user`` may see, each with ``class_count`` and ``student_count``."""
    schools = schools_visible_to(user=user).annotate(
        class_count=Count("classes", distinct=True),
        student_count=Count("classes__students", distinct=True),
    )
    return list(schools.order_by("name", "pk"))


def school_get(*, user, school_id: int) -> School | None:
    """The school, if ``user`` may see it (otherwise None, as if it did not exist)."""
    return schools_visible_to(user=user).filter(pk=school_id).first()


def school_counts(*, school: School) -> dict:
    return school.classes.aggregate(
        classes=Count("pk", distinct=True), students=Count("students", distinct=True)
    )


def school_class_list(*, school: School) -> list[SchoolClass]:
    """Classes of the school, newest school year first, each with ``student_count``."""
    classes = school.classes.annotate(student_count=Count("students"))
    return list(classes.order_by("-school_year", "name"))


def school_class_get(*, school: School, class_id: int) -> SchoolClass | None:
    return school.classes.filter(pk=class_id).first()


def student_list(*, school_class: SchoolClass) -> list[Student]:
    return list(school_class.students.order_by("last_name", "first_name", "pk"))


def student_get(*, school_class: SchoolClass, student_id: int) -> Student | None:
    return school_class.students.filter(pk=student_id).first()


def principal_choices_for(*, school: School | None):
    """Active principals, plus any (inactive) principal already bound to ``school``."""
    users = User.objects.filter(role=Role.PRINCIPAL)
    condition = Q(is_active=True)
    if school is not None and school.pk:
        condition |= Q(principal_of_schools=school)
    return users.filter(condition).distinct().order_by("full_name", "email")
