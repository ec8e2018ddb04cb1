from django.apps import AppConfig


class DownloadsConfig(AppConfig):
    name = "studio.downloads"
    label = "downloads"
    default_auto_field = "django.db.models.BigAutoField"
