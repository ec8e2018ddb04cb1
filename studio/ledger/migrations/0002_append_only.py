from django.db import migrations

from studio.ledger.guards import INSTALL, REMOVE


class Migration(migrations.Migration):
    """UPDATE and DELETE on the books fail; every transaction balances at commit."""

    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunSQL(INSTALL, REMOVE)]
