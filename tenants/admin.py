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
    # The logo belongs in the studio's own media: owners upload it at /staff/settings/ (an
    # upload here would be stored under the public schema's media, which no page serves).
    # The maintenance flag is migrate_platform's: set when the studio's schema failed to
    # migrate, lifted by the run that migrates it.
    readonly_fields = [
        "schema_name",
        "created_at",
        "logo",
        "maintenance_since",
        "maintenance_reason",
    ]
    inlines = [DomainInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "schema_name", "owner_email", "created_at"]}),
        (_("Licence"), {"fields": ["status", "status_reason", "licence_valid_until"]}),
        (_("Locale"), {"fields": ["currency", "language", "timezone"]}),
        (_("Branding"), {"fields": ["brand_color", "logo"]}),
        (
            _("Contact and invoices"),
            {
                "fields": [
                    "country",
                    "contact_email",
                    "contact_phone",
                    "support_text",
                    "legal_name",
                    "legal_address",
                ]
            },
        ),
        (_("Maintenance"), {"fields": ["maintenance_since", "maintenance_reason"]}),
    ]


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "tenant", "is_primary", "status", "verified_at"]
    list_filter = ["status"]
    search_fields = ["domain", "tenant__name"]
