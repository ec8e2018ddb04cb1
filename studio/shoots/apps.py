from django.apps import AppConfig


class ShootsConfig(AppConfig):
    name = "studio.shoots"
    label = "shoots"
    default_auto_field = "django.db.models.BigAutoField"
