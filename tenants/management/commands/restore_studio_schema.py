from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants.backups import studio_schema_restore
from tenants.models import Studio


class Command(BaseCommand):
    help = (
        "Restores ONE studio's schema from a full-database `pg_dump -Fc` file, in one "
        "transaction, without touching any other schema. Needs pg_restore and psql."
    )

    def add_arguments(self, parser):
        parser.add_argument("dump", help="a custom-format dump (pg_dump -Fc) of the database")
        parser.add_argument("studio", help="the studio's subdomain (slug) or schema name")

    def handle(self, *args, **options):
        studio = (
            Studio.objects.filter(slug=options["studio"]).first()
            or Studio.objects.filter(schema_name=options["studio"]).first()
        )
        if studio is None or studio.schema_name == "public":
            raise CommandError(f"no studio {options['studio']!r}")
        dump = Path(options["dump"])
        if not dump.is_file():
            raise CommandError(f"{dump} is not a file")
        try:
            studio_schema_restore(dump=dump, schema_name=studio.schema_name)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Restored {studio.schema_name} from {dump}"))
