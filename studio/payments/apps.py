from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "studio.payments"
    label = "payments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import stripe_webhooks  # noqa: F401  (registers the connected-account handlers)
