from django.apps import AppConfig


class YearbookConfig(AppConfig):
    name = "studio.yearbook"
    label = "yearbook"
    default_auto_field = "django.db.models.BigAutoField"
