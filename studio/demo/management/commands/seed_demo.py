from django.core.management.base import BaseCommand

from studio.demo.seed import demo_studio_seed
from tenants.selectors import public_url, studio_url


class Command(BaseCommand):
    help = "Creates (or tops up) the demo studio with one login per role, and prints them."

    def handle(self, *args, **options):
        studio, logins = demo_studio_seed()
        self.stdout.write(self.style.SUCCESS(f"Demo studio: {studio_url(studio=studio)}"))
        self.stdout.write(f"  staff login: {studio_url(studio=studio, path='/accounts/login/')}")
        for login in logins:
            if login.role == "parent":
                link = studio_url(studio=studio, path=f"/?code={login.password}")
                self.stdout.write(f"Parent of {login.email} (the card's link): {link}")
            else:
                self.stdout.write(f"  {login.role:<13} {login.email:<36} {login.password}")
        self.stdout.write(f"Public site (sign up a studio): {public_url()}")
