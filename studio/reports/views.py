"""The owner's reports and the accountant's exports. Thin: figures come from ``selectors``
and ``exports``, files from ``csv_files``."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext as _

from saas_platform.charts import svg_chart
from studio.core.policy import Action, require

from .csv_files import csv_response
from .exports import dataset_table
from .forms import ExportForm, ReportFilterForm
from .selectors import REPORT_TABLES, default_period, order_currencies, totals


def _charts(tables) -> list[tuple[str, str]]:
    by_day = tables["sales_by_day"]
    by_school = tables["sales_by_school"]
    by_product = tables["sales_by_product"]
    return [
        (
            _("Revenue per day"),
            svg_chart(
                [(formats.date_format(row[0], "d.m"), row[3]) for row in by_day.rows],
                title=_("Revenue per day"),
            ),
        ),
        (
            _("Orders per day"),
            svg_chart(
                [(formats.date_format(row[0], "d.m"), row[1]) for row in by_day.rows],
                title=_("Orders per day"),
                bars=True,
            ),
        ),
        (
            _("Revenue by school"),
            svg_chart(
                [(row[0], row[3]) for row in by_school.rows],
                title=_("Revenue by school"),
                bars=True,
            ),
        ),
        (
            _("Revenue by product"),
            svg_chart(
                [(row[0], row[3]) for row in by_product.rows[:12]],
                title=_("Revenue by product"),
                bars=True,
            ),
        ),
    ]


def _initial_period() -> dict:
    period = default_period("")
    return {"start": period.first_day, "end": period.last_day}


@login_required
def index(request):
    """Sales, conversion, people and unpaid balances for a period; ``?export=<table>`` gives
    that table as CSV with the same filters."""
    require(request.user, Action.VIEW_STUDIO_REPORTS)
    form = ReportFilterForm(
        request.GET or None,
        currencies=order_currencies(request.tenant.currency),
        initial=_initial_period(),
    )
    period = form.period()
    export = request.GET.get("export")
    if export is not None:
        if export not in REPORT_TABLES:
            raise Http404
        table = REPORT_TABLES[export](period)
        name = f"{export}_{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}"
        return csv_response(table, name, **form.csv_options())
    tables = {key: build(period) for key, build in REPORT_TABLES.items()}
    query = request.GET.copy()
    query.pop("export", None)
    return render(
        request,
        "reports/index.html",
        {
            "form": form,
            "period": period,
            "totals": totals(period),
            "charts": _charts(tables),
            "tables": tables,
            "query": query.urlencode(),
        },
    )


@login_required
def exports(request):
    """The accountant's CSV files for a period (orders, money, the journal)."""
    require(request.user, Action.VIEW_STUDIO_REPORTS)
    form = ExportForm(request.GET or None, initial=_initial_period())
    if form.is_bound and form.is_valid():
        period = form.period()
        dataset = form.cleaned_data["dataset"]
        table = dataset_table(dataset, period)
        name = f"{dataset}_{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}"
        return csv_response(table, name, **form.csv_options())
    return render(request, "reports/exports.html", {"form": form})
