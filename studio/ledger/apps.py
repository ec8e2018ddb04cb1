from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "studio.ledger"
    label = "ledger"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers  # noqa: F401  (connects to the orders' events)
