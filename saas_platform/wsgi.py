import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas_platform.settings.dev")

django_application = get_wsgi_application()

from saas_platform.images import with_image_links  # noqa: E402 - needs the settings above

# Signed thumbnail and preview links are answered before Django's request cycle.
application = with_image_links(django_application)
