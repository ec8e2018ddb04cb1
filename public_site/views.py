from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from billing.selectors import plans_for_pricing_page
from tenants.countries import country_proposals
from tenants.selectors import studio_url
from tenants.services import studio_create

from .forms import StudioSignUpForm


def landing(request):
    return render(request, "public_site/landing.html")


def pricing(request):
    return render(request, "public_site/pricing.html", {"plans": plans_for_pricing_page()})


def sign_up(request):
    form = StudioSignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = studio_create(
                name=data["studio_name"],
                slug=data["subdomain"],
                owner_email=data["email"],
                owner_name=data["owner_name"],
                owner_password=data["password"],
                country=data["country"],
            )
        except ValidationError as error:
            form.add_error("subdomain", error)
        except IntegrityError:
            # Someone took the same subdomain between validation and insert.
            form.add_error("subdomain", _("This subdomain is already taken."))
        else:
            return redirect(
                studio_url(
                    studio=result.studio,
                    path=f"/accounts/welcome/{result.login_token}/",
                    request=request,
                )
            )
    return render(
        request, "public_site/signup.html", {"form": form, "proposals": country_proposals()}
    )
