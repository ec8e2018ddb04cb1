from django.apps import AppConfig


class PayrollConfig(AppConfig):
    name = "studio.payroll"
    label = "payroll"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers  # noqa: F401  (connects to sales, retouching and picture days)
