"""Deleting a record that others may still refer to: refused with the kinds of records in the
way, never a 500 from ``ProtectedError``."""

from django.core.exceptions import ValidationError
from django.db.models.deletion import ProtectedError, RestrictedError


def delete_or_refuse(instance, message: str) -> None:
    """Deletes ``instance``, or raises ``ValidationError`` (code ``protected``) with
    ``message`` and its ``%(kinds)s`` filled with what still refers to it."""
    try:
        instance.delete()
    except (ProtectedError, RestrictedError) as error:
        objects = (
            error.protected_objects
            if isinstance(error, ProtectedError)
            else error.restricted_objects
        )
        kinds = sorted({str(obj._meta.verbose_name_plural) for obj in objects})
        raise ValidationError(message % {"kinds": ", ".join(kinds)}, code="protected") from error
