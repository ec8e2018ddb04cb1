"""The studio's commission pages (owners and managers; closing a month is the owner's), and
the files both they and principals download. Thin: the policy says who, selectors read,
services write."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from saas_platform.forms import form_add_errors
from studio.core.policy import Action, may, require
from studio.ledger.models import LedgerPeriod
from studio.ledger.selectors import month_bounds
from studio.ledger.services import last_closed_end
from studio.schools.models import School
from tenants.selectors import studio_tzinfo

from . import documents, selectors, services
from .forms import AgreementForm, MonthCloseForm, PayoutForm, ScanForm
from .models import Agreement, AgreementStatus

GET_POST = ["GET", "POST"]
MOVE_BUTTONS = {
    AgreementStatus.SENT: gettext_lazy("Mark as sent"),
    AgreementStatus.SIGNED: gettext_lazy("Mark as signed"),
    AgreementStatus.EXPIRED: gettext_lazy("Mark as expired"),
    AgreementStatus.DRAFT: gettext_lazy("Back to draft"),
}


def agreement_rows(agreements, *, with_moves: bool) -> list[dict]:
    """Each agreement with its terms in words (and, for the studio, the moves it allows)."""
    return [
        {
            "agreement": agreement,
            "terms": documents.basis_text(agreement),
            "kinds": documents.kinds_text(agreement),
            "moves": [
                (to, MOVE_BUTTONS[to])
                for to in AgreementStatus
                if with_moves and to in services.MOVES[agreement.status]
            ],
        }
        for agreement in agreements
    ]


def _manage(request):
    require(request.user, Action.MANAGE_SCHOOLS)


def _file(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- files, shared with the principal's pages ----------------------------------------------


def agreement_pdf_response(request, agreement: Agreement) -> HttpResponse:
    with translation.override(request.tenant.language):
        pdf = documents.agreement_pdf(agreement=agreement, studio=request.tenant)
    return _file(pdf, "application/pdf", f"agreement-{agreement.number}.pdf")


def agreement_scan_response(agreement: Agreement) -> HttpResponse:
    if not agreement.scan:
        raise Http404
    with agreement.scan.open("rb") as handle:
        content = handle.read()
    kind = agreement.scan.name.rsplit(".", 1)[-1]
    content_type = "application/pdf" if kind == "pdf" else "image/jpeg"
    return _file(content, content_type, f"agreement-{agreement.number}-signed.{kind}")


def statement_response(request, *, school: School, period_id: int, fmt: str) -> HttpResponse:
    if fmt not in ("pdf", "csv"):
        raise Http404
    period = get_object_or_404(LedgerPeriod, pk=period_id)
    statement = services.statement_get(period=period, school=school)
    name = f"commission-{period.label}-school-{school.pk}"
    if fmt == "pdf":
        return _file(bytes(statement.pdf), "application/pdf", f"{name}.pdf")
    delimiter = ";" if request.GET.get("sep") == ";" else ","
    with translation.override(statement.language):
        content = documents.statement_csv(snapshot=statement.snapshot, delimiter=delimiter)
    return _file(content, "text/csv; charset=utf-8", f"{name}.csv")


# --- the studio's pages --------------------------------------------------------------------


@login_required
def index(request):
    _manage(request)
    figures = selectors.school_figures(
        schools=School.objects.order_by("name", "pk"), currency=request.tenant.currency
    )
    return render(
        request,
        "commissions/index.html",
        {
            "figures": figures,
            "can_close": _may_close(request.user),
            "last_closed": LedgerPeriod.objects.order_by("-ends_at").first(),
        },
    )


def _may_close(user) -> bool:
    return may(user, Action.CLOSE_PERIOD)


@login_required
def school_detail(request, school_id):
    _manage(request)
    school = get_object_or_404(School, pk=school_id)
    currency = request.tenant.currency
    return render(
        request,
        "commissions/school.html",
        {
            "school": school,
            "figures": selectors.school_figures(schools=[school], currency=currency)[0],
            "agreements": agreement_rows(selectors.agreements_of(school=school), with_moves=True),
            "payouts": selectors.payouts_of(school=school),
            "periods": selectors.closed_periods(),
            "payout_form": PayoutForm(),
            "scan_form": ScanForm(),
        },
    )


@login_required
@require_http_methods(GET_POST)
def agreement_create(request, school_id):
    _manage(request)
    school = get_object_or_404(School, pk=school_id)
    form = AgreementForm(request.POST or None, initial={"valid_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_create(school=school, terms=form.terms(), actor=request.user)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Agreement saved as a draft."))
            return redirect("commissions:school", school.pk)
    return render(request, "commissions/agreement_form.html", {"form": form, "school": school})


@login_required
@require_http_methods(GET_POST)
def agreement_edit(request, pk):
    _manage(request)
    agreement = get_object_or_404(Agreement.objects.select_related("school"), pk=pk)
    form = AgreementForm(request.POST or None, initial=AgreementForm.initial_for(agreement))
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_update(agreement=agreement, terms=form.terms())
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Agreement saved."))
            return redirect("commissions:school", agreement.school_id)
    return render(
        request,
        "commissions/agreement_form.html",
        {"form": form, "school": agreement.school, "agreement": agreement},
    )


@login_required
@require_POST
def agreement_move(request, pk):
    _manage(request)
    agreement = get_object_or_404(Agreement, pk=pk)
    to = request.POST.get("to", "")
    if to not in AgreementStatus.values:
        raise Http404
    try:
        services.agreement_move(agreement=agreement, to=to)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Agreement status: %(status)s.") % {"status": AgreementStatus(to).label}
        )
    return redirect("commissions:school", agreement.school_id)


@login_required
def agreement_pdf(request, pk):
    _manage(request)
    return agreement_pdf_response(request, get_object_or_404(Agreement, pk=pk))


@login_required
@require_http_methods(GET_POST)
def agreement_scan(request, pk):
    _manage(request)
    agreement = get_object_or_404(Agreement, pk=pk)
    if request.method == "GET":
        return agreement_scan_response(agreement)
    form = ScanForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.agreement_scan_upload(agreement=agreement, upload=form.cleaned_data["scan"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Signed scan saved."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("commissions:school", agreement.school_id)


@login_required
@require_POST
def payout(request, school_id):
    _manage(request)
    require(request.user, Action.RECORD_PAYMENT)
    school = get_object_or_404(School, pk=school_id)
    form = PayoutForm(request.POST)
    if form.is_valid():
        try:
            services.payout_record(school=school, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Payment to the school recorded."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("commissions:school", school.pk)


@login_required
def statement(request, school_id, period_id, fmt):
    _manage(request)
    school = get_object_or_404(School, pk=school_id)
    return statement_response(request, school=school, period_id=period_id, fmt=fmt)


# --- closing a month -----------------------------------------------------------------------


def _closable_months(tz) -> list[tuple[str, str]]:
    """The months that may close now: the one after the last closed period, or (before the
    first close) any of the last twelve that have ended."""
    today = timezone.localdate(timezone=tz)
    last_end = last_closed_end()
    if last_end is not None:
        start = timezone.localtime(last_end, tz)
        candidates = [(start.year, start.month)]
    else:
        candidates = []
        year, month = today.year, today.month
        for _step in range(12):
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
            candidates.append((year, month))
    months = []
    for year, month in candidates:
        _starts, ends = month_bounds(year, month, tz)
        if ends <= timezone.now():
            label = date_format(datetime.date(year, month, 1), "YEAR_MONTH_FORMAT")
            months.append((f"{year}-{month:02d}", label))
    return months


@login_required
@require_http_methods(GET_POST)
def month_close(request):
    require(request.user, Action.CLOSE_PERIOD)
    tz = studio_tzinfo(request.tenant)
    months = _closable_months(tz)
    form = MonthCloseForm(request.POST or None, months=months)
    if request.method == "POST" and form.is_valid():
        year, month = (int(part) for part in form.cleaned_data["month"].split("-"))
        try:
            period = services.month_close(year=year, month=month, actor=request.user)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(period)s is closed; its statements are ready.") % {"period": period.title},
            )
            return redirect("commissions:index")
    return render(
        request,
        "commissions/close.html",
        {"form": form, "periods": selectors.closed_periods()[:12], "has_months": bool(months)},
    )
