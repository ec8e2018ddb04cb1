from .models import Plan


def plans_for_pricing_page():
    return Plan.objects.filter(is_public=True)
