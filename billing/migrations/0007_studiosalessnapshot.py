# The per-studio sales snapshot moves from operator_console to billing (beside StudioUsage):
# the table is renamed, not copied, so the figures survive the deploy.
from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0006_plan_photos_per_season"),
        ("operator_console", "0001_initial"),
        ("tenants", "0005_studio_licence"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE operator_console_studiosalessnapshot "
                    "RENAME TO billing_studiosalessnapshot",
                    "ALTER TABLE billing_studiosalessnapshot "
                    "RENAME TO operator_console_studiosalessnapshot",
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="StudioSalesSnapshot",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("currency", models.CharField(default="EUR", max_length=3)),
                        ("orders_season", models.PositiveIntegerField(default=0, verbose_name="orders this season")),
                        ("gmv_season", models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=14, verbose_name="GMV this season")),
                        ("orders_today", models.PositiveIntegerField(default=0, verbose_name="orders today")),
                        ("gmv_today", models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=14, verbose_name="GMV today")),
                        ("platform_revenue_season", models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=14, verbose_name="platform revenue this season")),
                        ("platform_revenue_today", models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=14, verbose_name="platform revenue today")),
                        ("photos", models.PositiveIntegerField(default=0, verbose_name="photos")),
                        ("storage_bytes", models.BigIntegerField(default=0, verbose_name="storage")),
                        ("staff", models.PositiveIntegerField(default=0, verbose_name="staff")),
                        ("last_activity_at", models.DateTimeField(blank=True, null=True, verbose_name="last activity")),
                        ("computed_at", models.DateTimeField(verbose_name="computed")),
                        ("studio", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="sales_snapshot", to="tenants.studio")),
                    ],
                ),
            ],
        ),
    ]
