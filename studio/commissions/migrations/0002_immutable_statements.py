from django.db import migrations

from studio.commissions.guards import INSTALL, REMOVE


class Migration(migrations.Migration):
    """A stored statement is never updated or deleted."""

    dependencies = [("commissions", "0001_initial")]

    operations = [migrations.RunSQL(INSTALL, REMOVE)]
