"""What a paid order's download links are signed with: one grant per order. Re-issuing
rotates the secret, so every link sent before stops working at once."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DownloadGrant(models.Model):
    order = models.OneToOneField(
        "orders.Order", on_delete=models.CASCADE, related_name="download_grant"
    )
    secret = models.CharField(max_length=64)
    issued_at = models.DateTimeField(_("issued"))
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("download grant")
        verbose_name_plural = _("download grants")

    def __str__(self):
        return f"downloads of order {self.order_id}"
