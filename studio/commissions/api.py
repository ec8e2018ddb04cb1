"""Commissions in the API, read-only: each school's accrued, paid and due, and its stored
statements of closed periods. Principals see their own schools only (the policy and
``schools_visible_to``, as on their pages); the owner and managers see every school."""

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.money import from_minor
from studio.core.api import PolicyPermission
from studio.core.policy import Action, may
from studio.schools.selectors import schools_visible_to

from . import selectors, services


def _money(minor: int, currency: str) -> str:
    return str(from_minor(minor, currency))


class SchoolCommissionSerializer(serializers.Serializer):
    school = serializers.IntegerField()
    name = serializers.CharField()
    currency = serializers.CharField()
    accrued = serializers.CharField(help_text="Decimal string, net of reversals")
    paid = serializers.CharField()
    due = serializers.CharField()
    agreement_status = serializers.CharField(allow_null=True)
    agreement_basis = serializers.CharField(allow_null=True)


class CommissionStatementSerializer(serializers.Serializer):
    period = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    currency = serializers.CharField()
    opening = serializers.CharField()
    accrued = serializers.CharField()
    reversed = serializers.CharField()
    paid = serializers.CharField()
    closing = serializers.CharField()
    pdf = serializers.CharField(help_text="Where the statement's PDF is downloaded")
    csv = serializers.CharField()


class SchoolCommissionsView(APIView):
    """Accrued, paid and due per school the caller may see."""

    permission_classes = [PolicyPermission]
    read_action = write_action = Action.VIEW_SCHOOL_REPORT

    @extend_schema(responses=SchoolCommissionSerializer(many=True))
    def get(self, request):
        currency = request.tenant.currency
        schools = schools_visible_to(user=request.user).order_by("name", "pk")
        rows = [
            {
                "school": f.school.pk,
                "name": f.school.name,
                "currency": currency,
                "accrued": _money(f.accrued, currency),
                "paid": _money(f.paid, currency),
                "due": _money(f.due, currency),
                "agreement_status": f.agreement.status if f.agreement else None,
                "agreement_basis": f.agreement.basis if f.agreement else None,
            }
            for f in selectors.school_figures(schools=schools, currency=currency)
        ]
        return Response(SchoolCommissionSerializer(rows, many=True).data)


class SchoolStatementsView(APIView):
    """A school's statements of the closed periods, newest first, with their files' URLs."""

    permission_classes = [PolicyPermission]
    read_action = write_action = Action.VIEW_SCHOOL_REPORT

    @extend_schema(responses=CommissionStatementSerializer(many=True))
    def get(self, request, school_id: int):
        school = schools_visible_to(user=request.user).filter(pk=school_id).first()
        if school is None or not may(request.user, Action.VIEW_SCHOOL_REPORT, school):
            raise Http404
        staff = may(request.user, Action.MANAGE_SCHOOLS)
        name = "commissions:statement" if staff else "my_schools:statement"
        rows = []
        for period in selectors.closed_periods():
            # made once on first use, as the pages do, and never again
            st = services.statement_get(period=period, school=school)
            rows.append(
                {
                    "period": st.period.label,
                    "starts_at": st.period.starts_at,
                    "ends_at": st.period.ends_at,
                    "currency": st.currency,
                    "opening": _money(st.opening_minor, st.currency),
                    "accrued": _money(st.accrued_minor, st.currency),
                    "reversed": _money(st.reversed_minor, st.currency),
                    "paid": _money(st.paid_minor, st.currency),
                    "closing": _money(st.closing_minor, st.currency),
                    "pdf": reverse(name, args=[school.pk, st.period_id, "pdf"]),
                    "csv": reverse(name, args=[school.pk, st.period_id, "csv"]),
                }
            )
        return Response(CommissionStatementSerializer(rows, many=True).data)
