from django.db.models import Count

from saas_platform.accounts.models import Role
from studio.schools.models import School, SchoolClass, Student

from .policy import Action, may


def schools_visible_to(*, user):
    """Principals see only the schools they are bound to; managing roles see all."""
    schools = School.objects.all()
    if user.role == Role.PRINCIPAL:
        schools = schools.filter(principals=user)
    return schools


def dashboard_summary(*, user) -> dict:
    schools = schools_visible_to(user=user).annotate(class_count=Count("classes"))
    summary = {"schools": list(schools) if may(user, Action.VIEW_SCHOOL_REPORT) else []}
    if may(user, Action.MANAGE_SCHOOLS):
        summary["class_count"] = SchoolClass.objects.count()
        summary["student_count"] = Student.objects.count()
    return summary
