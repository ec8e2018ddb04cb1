"""The studio's watermark as the image code draws it: its PNG (from the studio's own media)
or its text, with its opacity. The one place that turns ``tenants.Studio`` into a
``imaging.WatermarkSpec``, so the pipeline, the re-render and the settings preview agree."""

import functools

from django.core.files.storage import default_storage
from django_tenants.utils import schema_context

from tenants.models import Studio

from . import imaging


def studio_watermark(
    studio: Studio, *, text: str | None = None, opacity: int | None = None, image: bool = True
) -> imaging.WatermarkSpec:
    """The studio's saved watermark; ``text``/``opacity`` replace the saved ones (the live
    preview of unsaved values; empty text means the studio name) and ``image=False`` leaves
    the saved image out (text only, as after removing it)."""
    text = " ".join((studio.watermark_text if text is None else text).split()) or studio.name
    png = (
        _image_bytes(studio.schema_name, studio.watermark_image.name)
        if image and studio.watermark_image
        else None
    )
    return imaging.WatermarkSpec(
        text=text, image=png, opacity=studio.watermark_opacity if opacity is None else opacity
    )


@functools.lru_cache(maxsize=16)
def _image_bytes(schema_name: str, name: str) -> bytes:
    """The PNG's bytes, read once per process: a new upload always gets a new random name."""
    with schema_context(schema_name), default_storage.open(name, "rb") as handle:
        return handle.read()
