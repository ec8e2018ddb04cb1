from decimal import Decimal

from django.db import migrations

DEFAULT_PLANS = [
    dict(code="starter", name="Starter", kind="monthly", price=Decimal("29.00"), max_schools=5, max_staff=3, max_storage_gb=100, position=1),
    dict(code="studio", name="Studio", kind="monthly", price=Decimal("79.00"), max_schools=30, max_staff=15, max_storage_gb=1000, position=2),
    dict(code="studio-yearly", name="Studio, yearly", kind="yearly", price=Decimal("790.00"), max_schools=30, max_staff=15, max_storage_gb=1000, position=3),
    dict(code="revenue-share", name="Revenue share", kind="revenue_share", price=Decimal("0"), revenue_share_percent=Decimal("8.00"), position=4),
]


def create_plans(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    Plan = apps.get_model("billing", "Plan")
    for plan in DEFAULT_PLANS:
        Plan.objects.update_or_create(code=plan["code"], defaults=plan)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(create_plans, migrations.RunPython.noop)]
