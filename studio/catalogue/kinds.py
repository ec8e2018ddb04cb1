"""The kinds shared by the models and the pure pricing module (plain enums, no database)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductKind(models.TextChoices):
    DIGITAL = "digital", _("Digital file")
    PRINT = "print", _("Print")
    ALBUM = "album", _("Album or book")
    OTHER = "other", _("Other item")


class PackageKind(models.TextChoices):
    ALL_DIGITAL = "all_digital", _("All photos of the child as digital files")
    BUNDLE = "bundle", _("Bundle of fixed contents")


class CouponKind(models.TextChoices):
    PERCENT = "percent", _("Percent off")
    FIXED = "fixed", _("Fixed amount off")


# Products that are always of one photo (the storefront asks which one).
PHOTO_KINDS = frozenset({ProductKind.DIGITAL, ProductKind.PRINT})
