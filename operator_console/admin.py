from django.contrib import admin

from .models import AuditLog


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only: the audit is written by the console's services, never edited."""

    list_display = ["at", "studio", "action", "actor_email", "reason"]
    list_filter = ["action"]
    search_fields = ["studio__name", "actor_email", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
