# The table now belongs to billing (billing 0007 renamed it); only the state changes here.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("operator_console", "0001_initial"),
        ("billing", "0007_studiosalessnapshot"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="StudioSalesSnapshot")],
        ),
    ]
