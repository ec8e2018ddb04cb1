"""E-mails to parents about their orders, rendered in the studio's language and time."""

from django.template.loader import render_to_string
from django.utils import timezone, translation

from studio.orders.models import Order
from studio.orders.selectors import order_page_url
from studio.payments.providers import provider_for
from tenants.mail import studio_mail_send
from tenants.selectors import current_studio, studio_tzinfo


def order_confirmation_send(*, order_id: int) -> bool:
    """The order, what it costs and how to pay (bank details and reference)."""
    studio = current_studio()
    order = Order.objects.filter(pk=order_id).prefetch_related("lines").first()
    if order is None:
        return False
    with translation.override(studio.language), timezone.override(studio_tzinfo(studio)):
        context = {
            "studio": studio,
            "order": order,
            "lines": list(order.lines.all()),
            "instructions": provider_for(order.payment_method).instructions(
                order=order, studio=studio
            ),
            "link": order_page_url(studio=studio, order=order),
        }
        subject = " ".join(
            render_to_string("storefront/email/order_confirmation_subject.txt", context).split()
        )
        body = render_to_string("storefront/email/order_confirmation.txt", context)
    studio_mail_send(studio=studio, subject=subject, body=body, to=[order.email])
    return True
