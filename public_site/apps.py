from django.apps import AppConfig


class PublicSiteConfig(AppConfig):
    name = "public_site"
    default_auto_field = "django.db.models.BigAutoField"
