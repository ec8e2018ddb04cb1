from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from studio.exports.restore import studio_restore
from tenants.selectors import studio_url


class Command(BaseCommand):
    help = (
        "Creates a NEW studio (schema, subdomain, host) from a studio export ZIP. Staff and "
        "parents come back without passwords: they set new ones (password reset, or sign-in "
        "codes for parents)."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the export ZIP")
        parser.add_argument("slug", help="the new studio's subdomain (must be free)")
        parser.add_argument("--name", default="", help="default: the exported studio's name")
        parser.add_argument(
            "--owner-email", default="", help="default: the exported studio's owner e-mail"
        )

    def handle(self, *args, **options):
        try:
            result = studio_restore(
                archive=options["archive"],
                slug=options["slug"],
                name=options["name"],
                owner_email=options["owner_email"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {result.studio.name} at {studio_url(studio=result.studio)}: "
                f"{sum(result.rows.values())} rows in {len(result.rows)} tables, "
                f"{result.files} files"
            )
        )
