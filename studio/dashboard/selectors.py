from django.db.models import Count

from studio.core.policy import Action, may
from studio.orders.selectors import orders_today_summary
from studio.schools.models import SchoolClass, Student
from studio.schools.selectors import schools_visible_to
from tenants.selectors import current_studio, studio_tzinfo


def dashboard_summary(*, user) -> dict:
    schools = schools_visible_to(user=user).annotate(class_count=Count("classes"))
    summary = {"schools": list(schools) if may(user, Action.VIEW_SCHOOL_REPORT) else []}
    if may(user, Action.MANAGE_SCHOOLS):
        summary["class_count"] = SchoolClass.objects.count()
        summary["student_count"] = Student.objects.count()
    if may(user, Action.MANAGE_ORDERS):
        studio = current_studio()
        summary["orders"] = orders_today_summary(currency=studio.currency, tz=studio_tzinfo(studio))
    return summary
