"""Staff pay pages: the owner and managers see everyone's pay (the owner changes rules,
adjusts and runs pay), photographers and retouchers see their own earnings only."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from saas_platform.forms import form_add_errors
from studio.core.policy import Action, may, require
from tenants.selectors import current_studio

from . import exports, selectors, services
from .forms import AdjustmentForm, PayRunForm, PeriodForm, ProfileForm, RuleForm
from .models import PayRule, PayRun


def _person(person_id: int):
    return get_object_or_404(get_user_model(), pk=person_id, role__in=selectors.PAYABLE_ROLES)


def _statement(request, person):
    period = PeriodForm(request.GET or None)
    starts, ends = period.period()
    return period, selectors.statement(person, starts=starts, ends=ends)


def _file(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _statement_name(st, ext: str) -> str:
    return f"pay-statement-{st.person.pk}-{st.starts:%Y%m%d}-{st.ends:%Y%m%d}.{ext}"


@login_required
def pay_home(request):
    """Everyone's balance and what a pay run today would pay them."""
    require(request.user, Action.VIEW_STAFF_PAY)
    form = PayRunForm()
    rows = selectors.balances(period_end=form.fields["period_end"].initial)
    return render(
        request,
        "payroll/home.html",
        {
            "rows": rows,
            "currency": services.studio_currency(),
            "run_form": form,
            "can_manage": may(request.user, Action.MANAGE_STAFF_PAY),
        },
    )


@login_required
def rules(request):
    require(request.user, Action.VIEW_STAFF_PAY)
    form = RuleForm(request.POST or None)
    if request.method == "POST":
        require(request.user, Action.MANAGE_STAFF_PAY)
        if form.is_valid():
            try:
                services.rule_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form_add_errors(form, error)
            else:
                messages.success(request, _("Pay rule added."))
                return redirect("payroll:rules")
    return render(
        request,
        "payroll/rules.html",
        {
            "rules": selectors.rules(),
            "today": timezone.localdate(),
            "form": form,
            "currency": services.studio_currency(),
            "can_manage": may(request.user, Action.MANAGE_STAFF_PAY),
        },
    )


@login_required
@require_POST
def rule_delete(request, rule_id: int):
    require(request.user, Action.MANAGE_STAFF_PAY)
    rule = get_object_or_404(PayRule, pk=rule_id)
    try:
        services.rule_delete(rule=rule)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Pay rule removed."))
    return redirect("payroll:rules")


@login_required
def person(request, person_id: int):
    require(request.user, Action.VIEW_STAFF_PAY)
    who = _person(person_id)
    period, st = _statement(request, who)
    profile = selectors.profile_of(who)
    return render(
        request,
        "payroll/person.html",
        {
            "st": st,
            "period": period,
            "query": request.GET.urlencode(),
            "adjust_form": AdjustmentForm(),
            "bank_form": ProfileForm(
                initial={
                    "account_holder": profile.account_holder if profile else "",
                    "bank_account": profile.bank_account if profile else "",
                }
            ),
            "can_manage": may(request.user, Action.MANAGE_STAFF_PAY),
            "mine": False,
        },
    )


@login_required
def person_pdf(request, person_id: int):
    require(request.user, Action.VIEW_STAFF_PAY)
    _period, st = _statement(request, _person(person_id))
    return _file(
        exports.statement_pdf(st, current_studio()), "application/pdf", _statement_name(st, "pdf")
    )


@login_required
def person_csv(request, person_id: int):
    require(request.user, Action.VIEW_STAFF_PAY)
    _period, st = _statement(request, _person(person_id))
    return _file(
        exports.statement_csv(st, current_studio()),
        "text/csv; charset=utf-8",
        _statement_name(st, "csv"),
    )


@login_required
@require_POST
def person_adjust(request, person_id: int):
    """A bonus or a deduction, with a reason, by the owner."""
    require(request.user, Action.MANAGE_STAFF_PAY)
    who = _person(person_id)
    form = AdjustmentForm(request.POST)
    if form.is_valid():
        try:
            services.adjustment_record(
                person=who,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                key=form.cleaned_data["key"],
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Adjustment recorded."))
    else:
        messages.error(request, _("Enter an amount and a reason."))
    return redirect("payroll:person", person_id=who.pk)


@login_required
@require_POST
def person_bank(request, person_id: int):
    require(request.user, Action.MANAGE_STAFF_PAY)
    who = _person(person_id)
    form = ProfileForm(request.POST)
    if form.is_valid():
        services.profile_save(person=who, **form.cleaned_data)
        messages.success(request, _("Bank details saved."))
    return redirect("payroll:person", person_id=who.pk)


@login_required
def runs(request):
    require(request.user, Action.VIEW_STAFF_PAY)
    form = PayRunForm(request.POST or None)
    if request.method == "POST":
        require(request.user, Action.MANAGE_STAFF_PAY)
        if form.is_valid():
            try:
                run = services.pay_run_create(
                    period_end=form.cleaned_data["period_end"], actor=request.user
                )
            except ValidationError as error:
                form_add_errors(form, error)
            else:
                messages.success(request, _("Pay run done: export the transfers for your bank."))
                return redirect("payroll:run", run_id=run.pk)
    return render(
        request,
        "payroll/runs.html",
        {
            "runs": PayRun.objects.select_related("created_by").prefetch_related("lines"),
            "form": form,
            "can_manage": may(request.user, Action.MANAGE_STAFF_PAY),
        },
    )


@login_required
def run_detail(request, run_id: int):
    require(request.user, Action.VIEW_STAFF_PAY)
    run = get_object_or_404(PayRun, pk=run_id)
    return render(request, "payroll/run.html", {"run": run, "lines": run.lines.all()})


@login_required
def run_csv(request, run_id: int):
    require(request.user, Action.VIEW_STAFF_PAY)
    run = get_object_or_404(PayRun, pk=run_id)
    return _file(exports.pay_run_csv(run), "text/csv; charset=utf-8", f"{run.reference_prefix}.csv")


@login_required
def my_earnings(request):
    """A photographer's or retoucher's own statement: nobody else's is reachable here."""
    require(request.user, Action.VIEW_OWN_STATEMENT)
    period, st = _statement(request, request.user)
    return render(
        request,
        "payroll/person.html",
        {"st": st, "period": period, "query": request.GET.urlencode(), "mine": True},
    )


@login_required
def my_pdf(request):
    require(request.user, Action.VIEW_OWN_STATEMENT)
    _period, st = _statement(request, request.user)
    return _file(
        exports.statement_pdf(st, current_studio()), "application/pdf", _statement_name(st, "pdf")
    )


@login_required
def my_csv(request):
    require(request.user, Action.VIEW_OWN_STATEMENT)
    _period, st = _statement(request, request.user)
    return _file(
        exports.statement_csv(st, current_studio()),
        "text/csv; charset=utf-8",
        _statement_name(st, "csv"),
    )
