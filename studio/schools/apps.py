from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "studio.schools"
    label = "schools"
    default_auto_field = "django.db.models.BigAutoField"
