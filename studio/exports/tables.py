"""What a studio export holds: every table of the studio's schema that is the studio's data,
column by column, and the files its rows name.

Chosen by rule, not by list, so a model added later is exported (and restored) without
touching this module: every model of a ``studio.*`` app and the studio's people
(``accounts.User``), plus their many-to-many tables. Left out, with the reason:
secrets (password hashes, sign-in codes, login and API tokens), sessions, Django's own
bookkeeping (content types, permissions), and job state that means nothing elsewhere
(exports themselves, watermark re-render runs)."""

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage, storages
from django.db import models

EXCLUDED_MODELS = {
    "accounts.logintoken",  # one-time sign-in links: secrets
    "accounts.apitoken",  # API credentials: secrets
    "parents.signincode",  # one-time e-mailed codes: secrets
    "exports.studioexport",  # the exports themselves
    "studio_settings.watermarkrerender",  # a finished job's progress counter
}
EXCLUDED_COLUMNS = {
    "accounts.user": {"password"},  # never leaves the studio; restored users set a new one
    "sms.smssettings": {"secret_encrypted"},  # the SMS provider's token: the owner enters it again
}
USER_MODEL = "accounts.user"

PRIVATE = "private"  # the originals storage: originals, retouched versions, signed scans
MEDIA = "media"  # the default storage: thumbnails, previews, branding


@dataclass(frozen=True)
class Table:
    model: type[models.Model]
    fields: tuple[models.Field, ...]

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def columns(self) -> list[str]:
        return [field.column for field in self.fields]

    @property
    def file_fields(self) -> list[models.FileField]:
        return [field for field in self.fields if isinstance(field, models.FileField)]


def _studio_app(app_config) -> bool:
    return app_config.name.startswith("studio.") or app_config.name == "saas_platform.accounts"


def _exported(model) -> bool:
    meta = model._meta
    if meta.label_lower in EXCLUDED_MODELS or meta.proxy or not meta.managed:
        return False
    if meta.auto_created:  # a many-to-many table: only between exported models
        return all(
            _studio_app(field.related_model._meta.app_config)
            and field.related_model._meta.label_lower not in EXCLUDED_MODELS
            for field in meta.concrete_fields
            if field.is_relation
        )
    return _studio_app(meta.app_config) and meta.app_config.name in settings.TENANT_APPS


def export_tables() -> list[Table]:
    """Every exported table, in a stable order (by table name)."""
    tables = []
    for model in apps.get_models(include_auto_created=True):
        if not _exported(model):
            continue
        skipped = EXCLUDED_COLUMNS.get(model._meta.label_lower, set())
        fields = tuple(f for f in model._meta.concrete_fields if f.name not in skipped)
        tables.append(Table(model=model, fields=fields))
    return sorted(tables, key=lambda table: table.name)


def storage_kind(field: models.FileField) -> str:
    """Which of the studio's two storages a file field writes to (asked afresh: a field given
    a callable keeps the instance it got at import, and tests swap the storages)."""
    storage_callable = getattr(field, "_storage_callable", None)
    storage = storage_callable() if storage_callable else field.storage
    return PRIVATE if storage is storages["originals"] else MEDIA


def storage_for(kind: str):
    return storages["originals"] if kind == PRIVATE else default_storage


def field_type(field: models.Field) -> str:
    """The JSON/CSV shape of a column, for the README inside the ZIP."""
    if field.is_relation:
        return f"id of {field.related_model._meta.db_table}"
    if isinstance(field, models.FileField):
        return "file name (see files/)"
    return {
        "AutoField": "integer",
        "BigAutoField": "integer",
        "BigIntegerField": "integer",
        "IntegerField": "integer",
        "PositiveIntegerField": "integer",
        "PositiveSmallIntegerField": "integer",
        "SmallIntegerField": "integer",
        "BooleanField": "true/false",
        "DecimalField": "decimal as text",
        "DateTimeField": "ISO 8601 date-time with offset",
        "DateField": "ISO 8601 date",
        "TimeField": "ISO 8601 time",
        "DurationField": "ISO 8601 duration",
        "UUIDField": "UUID",
        "JSONField": "JSON",
    }.get(field.get_internal_type(), "text")
