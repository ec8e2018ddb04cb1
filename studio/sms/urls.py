from django.urls import path

from . import views

app_name = "sms"
urlpatterns = [
    path("", views.sms_settings_page, name="settings"),
    path("test/", views.sms_test_send, name="test"),
]
