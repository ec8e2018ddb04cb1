from django.urls import path

from . import views

app_name = "sms_webhooks"
urlpatterns = [
    path("twilio/status/", views.twilio_status, name="twilio_status"),
    path("twilio/inbound/", views.twilio_inbound, name="twilio_inbound"),
]
