"""E-mails to parents about their orders, in the parent's language and the studio's time."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _lazy

from studio.core.emails import Action, parent_email_send, parent_language
from studio.orders.models import Order
from studio.orders.selectors import order_page_url
from studio.payments.providers import provider_for
from tenants.selectors import current_studio


def order_confirmation_send(*, order_id: int) -> bool:
    """The order, what it costs and how to pay (bank details and reference)."""
    studio = current_studio()
    order = (
        Order.objects.filter(pk=order_id).select_related("parent").prefetch_related("lines").first()
    )
    if order is None:
        return False
    language = parent_language(studio=studio, email=order.email, parent=order.parent)
    link = order_page_url(studio=studio, order=order)
    with translation.override(language):
        context = {
            "order": order,
            "lines": list(order.lines.all()),
            "instructions": provider_for(order.payment_method).instructions(
                order=order, studio=studio
            ),
            "link": link,
        }
    parent_email_send(
        studio=studio,
        to=[order.email],
        template="storefront/email/order_confirmation",
        context=context,
        language=language,
        action=Action(_lazy("View your order"), link),
    )
    return True
