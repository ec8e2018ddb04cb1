from django.apps import AppConfig


class ApiTokensConfig(AppConfig):
    name = "studio.api_tokens"
    label = "api_tokens"
    default_auto_field = "django.db.models.BigAutoField"
