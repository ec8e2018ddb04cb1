"""The principal's pages: their schools only (any other school is a 404, as if it did not
exist), sales by class and picture day, participation, the commission and its statements,
the agreement. No parent's name or e-mail is shown: only counts and sums."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from studio.core.policy import Action, require
from studio.schools.selectors import schools_visible_to

from . import selectors
from .views import (
    agreement_pdf_response,
    agreement_rows,
    agreement_scan_response,
    statement_response,
)


def _school(request, school_id: int):
    require(request.user, Action.VIEW_SCHOOL_REPORT)
    school = schools_visible_to(user=request.user).filter(pk=school_id).first()
    if school is None:
        raise Http404
    require(request.user, Action.VIEW_SCHOOL_REPORT, school)
    return school


@login_required
def my_schools(request):
    require(request.user, Action.VIEW_SCHOOL_REPORT)
    schools = schools_visible_to(user=request.user).order_by("name", "pk")
    figures = selectors.school_figures(schools=schools, currency=request.tenant.currency)
    return render(request, "commissions/portal_list.html", {"figures": figures})


@login_required
def school(request, school_id):
    school = _school(request, school_id)
    currency = request.tenant.currency
    return render(
        request,
        "commissions/portal_school.html",
        {
            "school": school,
            "currency": currency,
            "figures": selectors.school_figures(schools=[school], currency=currency)[0],
            "overall": selectors.participation(school=school),
            "by_class": selectors.sales_by_class(school=school),
            "by_day": selectors.sales_by_picture_day(school=school),
            "periods": selectors.closed_periods(),
            "agreements": agreement_rows(
                selectors.agreements_of(school=school, principal_view=True), with_moves=False
            ),
        },
    )


@login_required
def statement(request, school_id, period_id, fmt):
    school = _school(request, school_id)
    return statement_response(request, school=school, period_id=period_id, fmt=fmt)


def _agreement(request, school_id, pk):
    school = _school(request, school_id)
    return get_object_or_404(selectors.agreements_of(school=school, principal_view=True), pk=pk)


@login_required
def agreement_pdf(request, school_id, pk):
    return agreement_pdf_response(request, _agreement(request, school_id, pk))


@login_required
def agreement_scan(request, school_id, pk):
    return agreement_scan_response(_agreement(request, school_id, pk))
