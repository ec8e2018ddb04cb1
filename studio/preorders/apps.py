from django.apps import AppConfig


class PreordersConfig(AppConfig):
    name = "studio.preorders"
    label = "preorders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from studio.orders.panels import order_page_panel_register

        from . import receivers  # noqa: F401  (connects to orders' signals)
        from .panels import order_panel

        order_page_panel_register(order_panel)
