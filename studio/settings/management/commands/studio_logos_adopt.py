from django.core.management.base import BaseCommand

from studio.settings.services import studio_logo_adopt
from tenants.models import Studio


class Command(BaseCommand):
    help = (
        "Moves studio logos stored under the public schema's media (uploaded in the operator "
        "admin before logos lived in each studio's media) into each studio's own. Idempotent."
    )

    def handle(self, *args, **options):
        moved = [
            studio.slug
            for studio in Studio.objects.exclude(logo="").order_by("pk")
            if studio_logo_adopt(studio=studio)
        ]
        self.stdout.write(f"{len(moved)} logo(s) moved: {', '.join(moved) or '—'}")
