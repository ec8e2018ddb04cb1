from django import forms
from django.utils.translation import gettext_lazy as _


class DeadlineForm(forms.Form):
    pose_deadline = forms.DateTimeField(
        label=_("Parents may choose the yearbook photo until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for no deadline. After it, parents see their choice locked."),
    )


class CompositeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    order = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_order(self):
        raw = self.cleaned_data["order"]
        try:
            return [int(part) for part in raw.split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(_("Invalid order.")) from None
