from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "studio.campaigns"
    label = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers  # noqa: F401  (a published picture day tells its families)
