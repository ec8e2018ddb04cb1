"""Read-only report figures at ``/api/reports/…``: the same tables as the page, with the same
filters (``from``, ``to``, ``school``, ``currency``) and the same permission."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from studio.core.api import PolicyPermission
from studio.core.policy import Action

from .forms import ReportFilterForm
from .selectors import GROUPS, SALES_TABLES, order_currencies, totals
from .selectors import conversion_by_school as conversion_table
from .selectors import ledger_summary as ledger_table
from .selectors import photographers as photographers_table
from .selectors import retouchers as retouchers_table
from .selectors import unpaid_ageing as ageing_table

PERIOD_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day (studio time zone)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day, included."),
    OpenApiParameter("school", OpenApiTypes.INT, description="Only this school's sales."),
    OpenApiParameter("currency", OpenApiTypes.STR, description="Defaults to the studio's."),
]

TableResponse = inline_serializer(
    "ReportTable",
    {
        "title": serializers.CharField(),
        "currency": serializers.CharField(),
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "school": serializers.IntegerField(allow_null=True),
        "columns": serializers.ListField(child=serializers.DictField()),
        "rows": serializers.ListField(child=serializers.DictField()),
    },
)
SalesResponse = inline_serializer(
    "SalesReport",
    {
        "title": serializers.CharField(),
        "group": serializers.ChoiceField(choices=GROUPS),
        "currency": serializers.CharField(),
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "school": serializers.IntegerField(allow_null=True),
        "totals": serializers.DictField(),
        "columns": serializers.ListField(child=serializers.DictField()),
        "rows": serializers.ListField(child=serializers.DictField()),
    },
)


class ReportView(APIView):
    permission_classes = [PolicyPermission]
    read_action = Action.VIEW_STUDIO_REPORTS
    write_action = Action.VIEW_STUDIO_REPORTS
    build = None

    def period(self, request):
        params = request.query_params
        form = ReportFilterForm(
            {
                "start": params.get("from", ""),
                "end": params.get("to", ""),
                "school": params.get("school", ""),
                "currency": params.get("currency", ""),
            },
            currencies=order_currencies(request.tenant.currency),
        )
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        return form.period()

    def payload(self, table, period) -> dict:
        return {
            "title": table.title,
            "currency": period.currency,
            "from": period.first_day,
            "to": period.last_day,
            "school": period.school_id,
            "columns": [
                {"key": column.key, "label": column.label, "kind": column.kind}
                for column in table.columns
            ],
            "rows": table.records(),
        }

    def get(self, request):
        period = self.period(request)
        return Response(self.payload(type(self).build(period), period))


class SalesReportView(ReportView):
    """``GET /api/reports/sales/?group=day|school|class|shoot|product``."""

    @extend_schema(
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter("group", OpenApiTypes.STR, enum=list(GROUPS), default="day"),
        ],
        responses=SalesResponse,
    )
    def get(self, request):
        group = request.query_params.get("group", "day")
        if group not in SALES_TABLES:
            raise ValidationError({"group": [f"One of: {', '.join(GROUPS)}."]})
        period = self.period(request)
        figures = totals(period)
        return Response(
            {
                **self.payload(SALES_TABLES[group](period), period),
                "group": group,
                "totals": {
                    key: (str(value) if value is not None and not isinstance(value, int) else value)
                    for key, value in figures.items()
                },
            }
        )


def _table_view(name: str, build, doc: str):
    @extend_schema(parameters=PERIOD_PARAMETERS, responses=TableResponse, description=doc)
    def get(self, request):
        return ReportView.get(self, request)

    return type(name, (ReportView,), {"build": staticmethod(build), "get": get, "__doc__": doc})


ConversionReportView = _table_view(
    "ConversionReportView", conversion_table, "Conversion and average order by school."
)
PhotographersReportView = _table_view(
    "PhotographersReportView", photographers_table, "Photos taken and sold, revenue attributed."
)
RetouchersReportView = _table_view(
    "RetouchersReportView", retouchers_table, "Retouches done, send-back rate, turnaround."
)
AgeingReportView = _table_view(
    "AgeingReportView", ageing_table, "Unpaid balances by age (today; period ignored)."
)
LedgerReportView = _table_view(
    "LedgerReportView", ledger_table, "The ledger's totals for the period."
)
