from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "studio.access"
    label = "access"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the receivers)
