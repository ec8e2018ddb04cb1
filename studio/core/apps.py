from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "studio.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"
