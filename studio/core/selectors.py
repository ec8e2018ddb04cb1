from django.db.models import Count, Max

from saas_platform.accounts.models import Role, User
from studio.schools.models import School, SchoolClass, Student

from .policy import STAFF_ROLES, Action, may


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
    if may(user, Action.MANAGE_ORDERS):
        from studio.orders.selectors import orders_today_summary
        from tenants.selectors import current_studio, studio_tzinfo

        studio = current_studio()
        summary["orders"] = orders_today_summary(currency=studio.currency, tz=studio_tzinfo(studio))
    return summary


def studio_usage_counts() -> dict:
    """Counts for the current studio's schema, for the platform's usage table."""
    staff = User.objects.filter(role__in=STAFF_ROLES, is_active=True)
    return {
        "schools": School.objects.count(),
        "classes": SchoolClass.objects.count(),
        "students": Student.objects.count(),
        "staff": staff.count(),
        "last_login_at": User.objects.aggregate(last=Max("last_login"))["last"],
    }
