from .models import WatermarkRerender


def watermark_rerender_latest() -> WatermarkRerender | None:
    """The latest re-rendering of previews, for the settings page's progress."""
    return WatermarkRerender.objects.order_by("-pk").first()
