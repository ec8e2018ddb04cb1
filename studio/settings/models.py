"""Re-rendering the previews after the watermark changed: one row per change, with progress."""

from django.db import models
from django.utils import timezone


class WatermarkRerender(models.Model):
    """Re-renders every photo ready when the watermark changed (ids up to ``up_to_photo_id``;
    later ones are made with the new watermark anyway). ``last_photo_id`` is the resume point
    of a redelivered task; a newer row supersedes this one."""

    watermark = models.CharField(max_length=120)  # the new ``WatermarkSpec.identity``
    total = models.PositiveIntegerField()
    done = models.PositiveIntegerField(default=0)
    up_to_photo_id = models.BigIntegerField(default=0)
    last_photo_id = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self):
        return f"{self.watermark}: {self.done}/{self.total}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None
