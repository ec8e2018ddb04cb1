"""A parent's cart: what they picked, not what it costs (prices are computed afresh by
``studio.catalogue.pricing`` every time the cart is shown and again at checkout)."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models


class Cart(models.Model):
    """One open cart per browser, and per parent account once signed in (the browser's cart
    is merged into it). ``checkout_key`` is the idempotency key of the next order: a
    double-clicked or retried "Place order" sends the same key and gets the same order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    parent = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cart",
    )
    coupon_code = models.CharField(max_length=40, blank=True)
    favourite_photo_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    checkout_key = models.UUIDField(default=uuid.uuid4)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return str(self.id)


class CartItem(models.Model):
    """A product of one photo (digital file, print), a product of no photo (album), or a
    package, for one child (``child`` is empty for a class photo bought by itself)."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    shoot = models.ForeignKey("shoots.Shoot", on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(
        "schools.Student", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    photo = models.ForeignKey(
        "photos.Photo", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    package = models.ForeignKey(
        "catalogue.Package", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    option_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    quantity = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(product__isnull=True) ^ models.Q(package__isnull=True),
                name="storefront_item_product_xor_package",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="storefront_item_quantity"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.product_id or self.package_id}"
