from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("", views.payment_settings, name="settings"),
    path("stripe/connect/", views.stripe_connect, name="stripe_connect"),
]
