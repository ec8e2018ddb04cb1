from django import forms

from tenants.models import Studio


class PaymentSettingsForm(forms.ModelForm):
    class Meta:
        model = Studio
        fields = ["accept_bank_transfer", "bank_details", "accept_cash", "cash_instructions"]
        widgets = {
            "bank_details": forms.Textarea(attrs={"rows": 4}),
            "cash_instructions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Shown as it is at checkout: bank transfer without bank details is off.
        if not self.instance.bank_details.strip():
            self.initial["accept_bank_transfer"] = False
