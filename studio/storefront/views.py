from django.shortcuts import render


def home(request):
    """The studio's branded storefront; access-code entry arrives with the storefront issue."""
    return render(request, "storefront/home.html", {"selling": request.tenant.is_selling})
