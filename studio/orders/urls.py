"""Staff order pages, mounted at ``/staff/orders/``."""

from django.urls import path

from . import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("bulk/", views.bulk, name="bulk"),
    path("school-delivery/", views.school_labels, name="school_labels"),
    path("lab-batches/", views.batch_list, name="batches"),
    path("lab-batches/<int:pk>/", views.batch_detail, name="batch"),
    path("lab-batches/<int:pk>/download/", views.batch_download, name="batch_download"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/payment/", views.record_payment, name="record_payment"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/fulfilment/", views.line_fulfilment, name="fulfilment"),
]
