from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from studio.core.policy import Action, require

from .forms import PaymentSettingsForm
from .services import payment_settings_update


@login_required
def payment_settings(request):
    require(request.user, Action.MANAGE_STUDIO_SETTINGS)
    studio = request.tenant
    form = PaymentSettingsForm(request.POST or None, instance=studio)
    if request.method == "POST" and form.is_valid():
        try:
            payment_settings_update(
                studio=studio, **{name: form.cleaned_data[name] for name in form.fields}
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.message_dict.items():
                    form.add_error(name, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("Payment settings saved."))
            return redirect("payments:settings")
    return render(request, "payments/settings.html", {"form": form})
