"""Order actions that need a payment provider, mounted at ``/staff/orders/`` after
``studio.orders.urls`` (same paths as the rest of an order's staff pages)."""

from django.urls import path

from . import staff_views

app_name = "order_payments"
urlpatterns = [
    path("<int:pk>/refund/", staff_views.refund, name="refund"),
]
