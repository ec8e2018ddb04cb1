from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "studio.storefront"
    label = "storefront"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the receivers)
