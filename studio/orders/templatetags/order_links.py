"""Links into the staff order pages whose filters only orders know."""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from studio.orders.models import OrderStatus

register = template.Library()


@register.simple_tag
def unpaid_orders_url() -> str:
    """The order list showing orders nobody has paid anything for yet."""
    return f"{reverse('orders:list')}?{urlencode({'status': OrderStatus.PENDING_PAYMENT})}"
