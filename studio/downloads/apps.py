from django.apps import AppConfig


class DownloadsConfig(AppConfig):
    name = "studio.downloads"
    label = "downloads"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers  # noqa: F401  (connects to orders' signals)
