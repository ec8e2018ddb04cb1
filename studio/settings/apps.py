from django.apps import AppConfig


class StudioSettingsConfig(AppConfig):
    name = "studio.settings"
    label = "studio_settings"
    default_auto_field = "django.db.models.BigAutoField"
