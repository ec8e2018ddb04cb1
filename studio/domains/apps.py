from django.apps import AppConfig


class DomainsConfig(AppConfig):
    name = "studio.domains"
    label = "studio_domains"
    default_auto_field = "django.db.models.BigAutoField"
