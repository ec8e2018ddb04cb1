from django.apps import AppConfig


class ParentsConfig(AppConfig):
    name = "studio.parents"
    label = "parents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the receivers)
