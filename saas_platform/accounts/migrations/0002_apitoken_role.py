from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def creators_role(apps, schema_editor):
    """Tokens issued before scopes existed act with their creator's role, as they did."""
    ApiToken = apps.get_model("accounts", "ApiToken")
    User = apps.get_model("accounts", "User")
    ApiToken.objects.update(
        role=Subquery(User.objects.filter(pk=OuterRef("user_id")).values("role")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="role",
            field=models.CharField(
                choices=[
                    ("owner", "Owner"),
                    ("manager", "Manager"),
                    ("photographer", "Photographer"),
                    ("retoucher", "Retoucher"),
                    ("principal", "Principal"),
                    ("parent", "Parent"),
                ],
                default="",
                max_length=20,
                verbose_name="role",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(creators_role, migrations.RunPython.noop),
    ]
