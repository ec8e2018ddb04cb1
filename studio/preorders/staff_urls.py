"""Staff pages for pre-orders, mounted at ``/staff/preorders/``."""

from django.urls import path

from . import staff_views

app_name = "preorders"
urlpatterns = [
    path("", staff_views.shoot_list, name="list"),
    path("shoots/<int:pk>/", staff_views.shoot_page, name="shoot"),
    path("shoots/<int:pk>/codes/", staff_views.links_issue, name="issue"),
    path("credits/<int:pk>/refund/", staff_views.credit_refund, name="refund"),
]
