from django.apps import AppConfig


class PlanConfig(AppConfig):
    name = "studio.plan"
    label = "plan"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the receivers)
