from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants.selectors import studio_url
from tenants.services import studio_create


class Command(BaseCommand):
    help = "Creates a studio with its subdomain, schema and owner."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--owner-email", required=True)
        parser.add_argument("--owner-name", default="")
        parser.add_argument("--owner-password", required=True)
        parser.add_argument("--currency", default="EUR")
        parser.add_argument("--language", default="en", choices=["en", "ru", "uk"])

    def handle(self, *args, **options):
        try:
            result = studio_create(
                name=options["name"],
                slug=options["slug"],
                owner_email=options["owner_email"],
                owner_name=options["owner_name"],
                owner_password=options["owner_password"],
                currency=options["currency"].upper(),
                language=options["language"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(f"Created {result.studio.name}: {studio_url(studio=result.studio)}")
        )
