from django.contrib import admin

from .models import Plan


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "price", "currency", "revenue_share_percent", "is_public"]
    list_editable = ["is_public"]
