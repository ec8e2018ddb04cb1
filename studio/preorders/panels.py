"""The pre-paid packages of an order, on the staff order page (``orders.panels``)."""

import uuid

from django.template.loader import render_to_string

from studio.core.policy import Action, may

from .selectors import order_credits


def order_panel(request, order) -> str:
    credits = order_credits(order=order)
    if not credits:
        return ""
    return render_to_string(
        "preorders/_order_panel.html",
        {
            "credits": credits,
            "order": order,
            "can_refund": may(request.user, Action.REFUND_ORDER),
            "refund_token": uuid.uuid4(),
        },
        request,
    )
