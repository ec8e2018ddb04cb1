from django.apps import AppConfig


class RetouchingConfig(AppConfig):
    name = "studio.retouching"
    label = "retouching"
    default_auto_field = "django.db.models.BigAutoField"
