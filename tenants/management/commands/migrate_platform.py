from django.core.management import call_command
from django.core.management.base import BaseCommand

from tenants.services import ensure_public_tenant, ensure_template_studio


class Command(BaseCommand):
    help = (
        "Migrates the public schema, the base schema new studios are cloned from, and every "
        "studio (django-tenants' migrate_schemas), creating the first two on a new database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--executor", default="standard", choices=["standard", "multiprocessing"]
        )

    def handle(self, *args, executor, verbosity, **options):
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        ensure_public_tenant()
        ensure_template_studio()
        call_command(
            "migrate_schemas",
            tenant=True,
            executor=executor,
            interactive=False,
            verbosity=verbosity,
        )
