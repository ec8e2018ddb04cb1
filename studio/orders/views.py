"""Staff order pages, mounted at ``/staff/orders/``: the list, one order with its money and
prints, deliveries to school, and lab batches. Every change goes through a service. Refunds
may go back through a payment provider, so their view is ``studio.payments.staff_views``."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from saas_platform.money import quantize
from studio.core.policy import Action, may, require
from studio.photos.archive import zip_response
from studio.schools.models import School
from tenants.selectors import current_studio, studio_tzinfo

from . import selectors
from .forms import FulfilmentForm, MoveForm, OrderFilterForm, PaymentForm, RefundForm
from .fulfilment import lines_fulfilment_move, order_fulfilment_lines
from .lab import lab_batch_archive, lab_batch_create
from .models import FULFILMENT_KINDS, LabBatch, Order
from .panels import order_page_panels
from .services import OFFLINE_METHODS, order_move, payment_record_offline

PAGE_SIZE = 50


def _ids(values) -> list[int]:
    return [int(value) for value in values if str(value).isdigit()]


@login_required
def order_list(request):
    require(request.user, Action.MANAGE_ORDERS)
    form = OrderFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    orders = selectors.order_search(
        status=filters.get("status", ""),
        payment_method=filters.get("payment_method", ""),
        school_id=filters["school"].pk if filters.get("school") else None,
        class_id=filters["school_class"].pk if filters.get("school_class") else None,
        query=filters.get("q", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        tz=studio_tzinfo(current_studio()),
    )
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "orders/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "fulfilment_form": FulfilmentForm(),
            "can_export": may(request.user, Action.EXPORT_LAB_BATCH),
        },
    )


def order_detail_page(request, order: Order, *, status: int = 200, **forms):
    """The detail page; a form that failed is passed back in (``refund_form=`` …)."""
    lines = list(selectors.order_lines(order))
    context = {
        "order": order,
        "lines": lines,
        "fulfilment_lines": [line for line in lines if line.kind in FULFILMENT_KINDS],
        "payments": order.payments.select_related("recorded_by"),
        "refunds": order.refunds.select_related("recorded_by"),
        "history": selectors.order_history(order),
        "payment_form": forms.get("payment_form")
        or PaymentForm(
            initial={
                "amount": quantize(order.balance_due, order.currency),
                "method": order.payment_method
                if order.payment_method in OFFLINE_METHODS
                else "bank_transfer",
                "token": uuid.uuid4(),
            }
        ),
        "refund_form": forms.get("refund_form")
        or RefundForm(order=order, initial={"token": uuid.uuid4()}),
        "move_form": forms.get("move_form") or MoveForm(),
        "fulfilment_form": forms.get("fulfilment_form") or FulfilmentForm(),
        # A refused form is shown with its reason even if the order can no longer take it.
        "can_pay": may(request.user, Action.RECORD_PAYMENT)
        and (order.is_payable or "payment_form" in forms),
        "can_refund": may(request.user, Action.REFUND_ORDER)
        and (order.held > 0 or "refund_form" in forms),
        "panels": order_page_panels(request, order),
    }
    return render(request, "orders/detail.html", context, status=status)


def staff_order_or_404(pk) -> Order:
    return get_object_or_404(Order.objects.select_related("parent"), pk=pk)


@login_required
def order_detail(request, pk):
    require(request.user, Action.MANAGE_ORDERS)
    return order_detail_page(request, staff_order_or_404(pk))


def add_errors(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


@login_required
@require_POST
def record_payment(request, pk):
    require(request.user, Action.RECORD_PAYMENT)
    order = staff_order_or_404(pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            payment_record_offline(
                order=order,
                amount=data["amount"],
                method=data["method"],
                reference=data["reference"],
                actor=request.user,
                idempotency_key=f"staff-{data['token']}",
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Payment recorded."))
            return redirect("orders:detail", order.pk)
    return order_detail_page(request, order, status=400, payment_form=form)


@login_required
@require_POST
def move(request, pk):
    require(request.user, Action.MANAGE_ORDERS)
    order = staff_order_or_404(pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            order_move(order=order, to=form.cleaned_data["to"], actor=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Order status changed."))
            return redirect("orders:detail", order.pk)
    return order_detail_page(request, order, status=400, move_form=form)


def _report_moves(request, result) -> None:
    if result.moved:
        messages.success(
            request,
            ngettext("%(n)d print updated.", "%(n)d prints updated.", len(result.moved))
            % {"n": len(result.moved)},
        )
    for line, reason in result.failed:
        messages.error(request, f"{line.order.number} · {line.description}: {reason}")


@login_required
@require_POST
def line_fulfilment(request, pk):
    """Selected print lines of one order (or one line's own button)."""
    require(request.user, Action.MANAGE_ORDERS)
    order = staff_order_or_404(pk)
    form = FulfilmentForm(request.POST)
    wanted = set(_ids(request.POST.getlist("lines")))
    line_ids = list(order.lines.filter(pk__in=wanted).values_list("pk", flat=True))
    if not form.is_valid():
        return order_detail_page(request, order, status=400, fulfilment_form=form)
    if not line_ids:
        form.add_error(None, _("Choose at least one print."))
        return order_detail_page(request, order, status=400, fulfilment_form=form)
    result = lines_fulfilment_move(
        line_ids=line_ids,
        to=form.cleaned_data["to"],
        actor=request.user,
        tracking_number=form.cleaned_data["tracking_number"],
    )
    _report_moves(request, result)
    return redirect("orders:detail", order.pk)


def _back_to_list(request):
    back = request.POST.get("back", "")
    return HttpResponseRedirect(reverse("orders:list") + (f"?{back}" if back else ""))


@login_required
@require_POST
def bulk(request):
    """Selected orders from the list: a lab batch of their prints, or a fulfilment move of
    all their prints."""
    order_ids = _ids(request.POST.getlist("orders"))
    action = request.POST.get("action")
    if action == "export":
        require(request.user, Action.EXPORT_LAB_BATCH)
    else:
        require(request.user, Action.MANAGE_ORDERS)
    order_ids = list(Order.objects.filter(pk__in=order_ids).values_list("pk", flat=True))
    if not order_ids:
        messages.error(request, _("Choose at least one order."))
        return _back_to_list(request)
    if action == "export":
        result = lab_batch_create(order_ids=order_ids, actor=request.user)
        if result.skipped_orders:
            messages.error(
                request,
                _("Not paid, left out: %(numbers)s")
                % {"numbers": ", ".join(result.skipped_orders)},
            )
        if result.batch is None:
            messages.error(
                request, _("Nothing to export: no paid prints that are not in a batch yet.")
            )
            return _back_to_list(request)
        for line, reason in result.failed:
            messages.error(request, f"{line.order.number} · {line.description}: {reason}")
        messages.success(
            request,
            ngettext(
                "Lab batch %(number)s: %(n)d print.",
                "Lab batch %(number)s: %(n)d prints.",
                result.exported,
            )
            % {"number": result.batch.number, "n": result.exported},
        )
        return redirect("orders:batch", result.batch.pk)
    form = FulfilmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a fulfilment status."))
        return _back_to_list(request)
    result = lines_fulfilment_move(
        line_ids=order_fulfilment_lines(order_ids),
        to=form.cleaned_data["to"],
        actor=request.user,
        tracking_number=form.cleaned_data["tracking_number"],
    )
    if not result.moved and not result.failed:
        messages.error(request, _("These orders have no prints."))
    _report_moves(request, result)
    return _back_to_list(request)


@login_required
def school_labels(request):
    """Printable labels for orders delivered to school, per school and class."""
    require(request.user, Action.MANAGE_ORDERS)
    school_id = _ids([request.GET.get("school", "")])
    school = get_object_or_404(School, pk=school_id[0]) if school_id else None
    groups = selectors.school_delivery_groups(school_id=school.pk if school else None)
    return render(
        request,
        "orders/school_labels.html",
        {"groups": groups, "school": school, "schools": School.objects.all()},
    )


@login_required
def batch_list(request):
    require(request.user, Action.EXPORT_LAB_BATCH)
    batches = Paginator(
        LabBatch.objects.select_related("created_by").prefetch_related("entries"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "orders/batch_list.html", {"page": batches})


@login_required
def batch_detail(request, pk):
    require(request.user, Action.EXPORT_LAB_BATCH)
    batch = get_object_or_404(LabBatch.objects.select_related("created_by"), pk=pk)
    entries = batch.entries.select_related("line__order", "line__child__school_class")
    return render(request, "orders/batch_detail.html", {"batch": batch, "entries": entries})


@login_required
def batch_download(request, pk):
    """The batch's ZIP, again whenever asked (the explicit re-export): files and manifest."""
    require(request.user, Action.EXPORT_LAB_BATCH)
    batch = get_object_or_404(LabBatch, pk=pk)
    return zip_response(lab_batch_archive(batch), f"{batch.number}.zip")
