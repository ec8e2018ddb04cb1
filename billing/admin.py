from django.contrib import admin

from .models import LicenceEvent, Plan


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "price",
        "currency",
        "revenue_share_percent",
        "stripe_price_id",
        "is_public",
    ]
    list_editable = ["is_public"]


@admin.register(LicenceEvent)
class LicenceEventAdmin(admin.ModelAdmin):
    list_display = ["at", "studio", "from_status", "to_status", "reason", "source"]
    list_filter = ["to_status"]
    readonly_fields = ["studio", "from_status", "to_status", "reason", "source", "at"]
