from django.apps import AppConfig


class CommissionsConfig(AppConfig):
    name = "studio.commissions"
    label = "commissions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers  # noqa: F401  (connects to the orders' events)
