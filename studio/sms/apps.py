from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "studio.sms"
    label = "sms"
    default_auto_field = "django.db.models.BigAutoField"
