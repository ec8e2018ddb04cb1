"""Staff actions on an order that go through a payment provider, mounted under
``/staff/orders/`` beside the order pages (``studio.orders`` knows nothing of providers)."""

import stripe
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from studio.core.policy import Action, require
from studio.orders.forms import RefundForm
from studio.orders.views import add_errors, order_detail_page, staff_order_or_404

from .services import order_refund


@login_required
@require_POST
def refund(request, pk):
    require(request.user, Action.REFUND_ORDER)
    order = staff_order_or_404(pk)
    form = RefundForm(request.POST, order=order)
    if form.is_valid():
        try:
            order_refund(
                order=order,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                idempotency_key=f"staff-{form.cleaned_data['token']}",
                line_ids=form.cleaned_data["lines"],
            )
        except ValidationError as error:
            add_errors(form, error)
        except stripe.StripeError as error:
            form.add_error(None, _("Stripe refused the refund: %s") % (error.user_message or error))
        else:
            messages.success(request, _("Refund recorded."))
            return redirect("orders:detail", order.pk)
    return order_detail_page(request, order, status=400, refund_form=form)
