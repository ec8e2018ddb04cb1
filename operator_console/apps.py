from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperatorConsoleConfig(AppConfig):
    name = "operator_console"
    verbose_name = _("Operator console")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the receivers)
