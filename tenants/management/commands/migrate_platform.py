import time

from django.conf import settings
from django.core import checks
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name

from tenants.maintenance import studios_maintenance_update
from tenants.models import Studio
from tenants.schema_migrations import schemas_migrate
from tenants.services import ensure_public_tenant, ensure_template_studio


class Command(BaseCommand):
    help = (
        "Migrates the public schema, the base schema new studios are cloned from, and every "
        "studio, skipping schemas that are current and going on past a studio that fails "
        "(it is retried, flagged under maintenance and named; the exit status is then 1)."
    )
    # Only the checks about models and the database, as ``migrate`` runs them: the URL checks
    # import every view (half a second of every deploy's start-up) and belong to
    # ``manage.py check --deploy``, which the image build and CI run.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--executor",
            default="standard",
            choices=["standard", "multiprocessing"],
            help="multiprocessing: studios migrate on --processes connections/processes",
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=None,
            help="parallel workers with --executor=multiprocessing "
            "(default TENANT_MULTIPROCESSING_MAX_PROCESSES, else 2)",
        )

    def handle(self, *args, executor, processes, verbosity, **options):
        started = time.monotonic()
        if not options.get("skip_checks"):
            self.check(tags=[checks.Tags.models, checks.Tags.database], databases=["default"])

        def log(message):
            if verbosity >= 1:
                self.stdout.write(f"[{time.monotonic() - started:7.2f} s] {message}")

        public = get_public_schema_name()
        shared = schemas_migrate(schemas=[public], verbosity=verbosity, log=log)
        if shared.failed:  # studios cannot be migrated past a public schema that is not
            raise CommandError(f"The public schema failed to migrate: {shared.failed[public]}")
        log("public schema current")
        ensure_public_tenant()
        ensure_template_studio()
        if executor == "multiprocessing":
            processes = processes or getattr(settings, "TENANT_MULTIPROCESSING_MAX_PROCESSES", 2)
        else:
            processes = 1
        schemas = list(
            Studio.objects.exclude(schema_name=public)
            .order_by("schema_name")
            .values_list("schema_name", flat=True)
        )

        run = schemas_migrate(schemas=schemas, processes=processes, verbosity=verbosity, log=log)
        studios_maintenance_update(failed=run.failed)
        log(
            f"{len(run.current)} current, {len(run.replayed)} replayed, "
            f"{len(run.migrated)} migrated, {len(run.failed)} failed"
        )
        if run.failed:
            for schema, error in sorted(run.failed.items()):
                self.stderr.write(f"{schema}: {error}")
            raise CommandError(
                f"{len(run.failed)} studio schema(s) failed to migrate and are under "
                f"maintenance: {', '.join(sorted(run.failed))}"
            )
