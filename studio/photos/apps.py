from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "studio.photos"
    label = "photos"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import readiness  # noqa: F401  (registers the check before publishing)
