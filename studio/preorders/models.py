"""Pre-orders: a package bought for a child before the picture day's photos are online.

The order is an ordinary ``Order`` (every payment method works); this app only remembers
which of its lines are a pre-paid package (``Credit``) and which of the package's lines wait
for a photo the parent picks later (``CreditSlot``). A credit counts once its order is paid."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from studio.access import codes


class PreorderSetup(models.Model):
    """Pre-orders of one picture day: on or off, and the packages offered."""

    shoot = models.OneToOneField(
        "shoots.Shoot", on_delete=models.CASCADE, related_name="preorder_setup"
    )
    enabled = models.BooleanField(_("pre-orders open"), default=False)
    packages = models.ManyToManyField("catalogue.Package", blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"pre-orders of shoot {self.shoot_id}"


class PreorderLink(models.Model):
    """A class's pre-order code (and link), issued by staff on demand: the class codes of
    ``studio.access`` only exist once the picture day is published."""

    shoot = models.ForeignKey("shoots.Shoot", on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(
        "schools.SchoolClass", on_delete=models.CASCADE, related_name="+"
    )
    code = models.CharField(max_length=20, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["school_class__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shoot", "school_class"], name="preorder_link_once")
        ]

    def __str__(self):
        return self.display

    @property
    def display(self) -> str:
        return codes.display(self.code)


class Credit(models.Model):
    """A pre-ordered package for a child: its order line, and (once the order is paid,
    ``credited_at``) what the parent may pick when the photos are online."""

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    line = models.OneToOneField("orders.OrderLine", on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(
        "schools.Student", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    shoot = models.ForeignKey("shoots.Shoot", on_delete=models.PROTECT, related_name="+")
    package = models.ForeignKey("catalogue.Package", on_delete=models.PROTECT, related_name="+")
    all_photos = models.BooleanField(default=False)
    credited_at = models.DateTimeField(null=True, blank=True)
    refunded_amount = models.DecimalField(max_digits=13, decimal_places=3, default=0)
    # The parent was told the photos are online to choose from (once).
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"credit {self.pk} ({self.package_id})"


class CreditSlot(models.Model):
    """One line of a pre-ordered bundle waiting for its photo: a photo the parent picks, or
    the class photo (filled with the class's group photo). Filled once; a slot refunded
    unused is closed."""

    credit = models.ForeignKey(Credit, on_delete=models.CASCADE, related_name="slots")
    line = models.OneToOneField("orders.OrderLine", on_delete=models.PROTECT, related_name="+")
    class_photo = models.BooleanField(default=False)
    picked_at = models.DateTimeField(null=True, blank=True)
    refunded = models.BooleanField(default=False)

    class Meta:
        ordering = ["credit", "id"]

    def __str__(self):
        return f"slot {self.pk} of credit {self.credit_id}"
