from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tenants.admin import TenantAdminMixin

from .models import Domain, Studio


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Studio)
class StudioAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "status", "licence_valid_until", "currency", "created_at"]
    list_filter = ["status", "currency"]
    search_fields = ["name", "slug", "owner_email"]
    readonly_fields = ["schema_name", "created_at"]
    inlines = [DomainInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "schema_name", "owner_email", "created_at"]}),
        (_("Licence"), {"fields": ["status", "status_reason", "licence_valid_until"]}),
        (_("Locale"), {"fields": ["currency", "language", "timezone"]}),
        (_("Branding"), {"fields": ["brand_color", "logo"]}),
    ]


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "tenant", "is_primary", "status", "verified_at"]
    list_filter = ["status"]
    search_fields = ["domain", "tenant__name"]
