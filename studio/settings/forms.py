from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from studio.photos.imaging import WATERMARK_OPACITY_RANGE
from tenants.models import Studio
from tenants.validators import currency_choices, timezone_choices

from .services import LOGO_MAX_BYTES, WATERMARK_IMAGE_MAX_BYTES


class StudioSettingsForm(forms.Form):
    """Field shapes only; ``studio_settings_update`` decides what is valid."""

    name = forms.CharField(label=_("Studio name"), max_length=120)
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    brand_color = forms.CharField(
        label=_("Brand colour"),
        max_length=7,
        help_text=_("Buttons and the header use it, with white text: pick a dark enough colour."),
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    currency = forms.ChoiceField(label=_("Currency"))
    language = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)
    timezone = forms.ChoiceField(label=_("Time zone"))
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    support_text = forms.CharField(
        label=_("Support text for parents"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    legal_name = forms.CharField(label=_("Legal name"), max_length=200, required=False)
    legal_address = forms.CharField(
        label=_("Legal address"), max_length=500, required=False, widget=forms.Textarea({"rows": 3})
    )
    watermark_text = forms.CharField(
        label=_("Watermark text"),
        max_length=60,
        required=False,
        help_text=_("Tiled across every preview parents see; the studio name when empty."),
    )
    watermark_image = forms.FileField(
        label=_("Watermark image"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png"}),
    )
    remove_watermark_image = forms.BooleanField(
        label=_("Remove the image and use the text"), required=False
    )
    watermark_opacity = forms.IntegerField(
        label=_("Watermark opacity"),
        required=False,  # absent: keep the saved one
        min_value=WATERMARK_OPACITY_RANGE[0],
        max_value=WATERMARK_OPACITY_RANGE[1],
        widget=forms.NumberInput(
            attrs={
                "type": "range",
                "min": WATERMARK_OPACITY_RANGE[0],
                "max": WATERMARK_OPACITY_RANGE[1],
                "step": 5,
            }
        ),
    )

    def __init__(self, *args, studio: Studio, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                name: getattr(studio, name)
                for name in self.base_fields
                if hasattr(studio, name) and name not in ("logo", "watermark_image")
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["logo"].help_text = gettext("JPEG, PNG or WebP, up to %(limit)s MB.") % {
            "limit": LOGO_MAX_BYTES // 2**20
        }
        self.fields["watermark_image"].help_text = gettext(
            "A PNG, ideally with a transparent background, up to %(limit)s MB; it replaces "
            "the text, tiled across the preview."
        ) % {"limit": WATERMARK_IMAGE_MAX_BYTES // 2**20}
        self.fields["currency"].choices = currency_choices()
        self.fields["timezone"].choices = [(tz, tz) for tz in timezone_choices()]
