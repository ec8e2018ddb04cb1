"""Signed export links: the export's id, signed with the site's key and salted with the
studio's schema (a link from another studio never verifies here), with a timestamp checked
against LINK_MAX_AGE on every use."""

from datetime import timedelta

from django.core import signing
from django.db import connection

from .models import ExportStatus, StudioExport

LINK_MAX_AGE = timedelta(days=7)


def _salt() -> str:
    return f"pictureday.exports:{connection.schema_name}"


def export_link_token(export: StudioExport) -> str:
    return signing.dumps(export.pk, salt=_salt())


def export_for_token(token: str) -> StudioExport | None:
    """The ready export a link names, or None when the link was not signed for this studio,
    has expired, or its export is gone or not ready."""
    try:
        export_id = signing.loads(token, salt=_salt(), max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(export_id, int) or isinstance(export_id, bool):
        return None
    return StudioExport.objects.filter(pk=export_id, status=ExportStatus.READY).first()
