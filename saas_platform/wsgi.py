import os

from django.core.wsgi import get_wsgi_application

from saas_platform.backpressure import BackPressure

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas_platform.settings.dev")

django_application = get_wsgi_application()

from saas_platform.images import with_image_links  # noqa: E402 - needs the settings above

# Outermost: signed thumbnail and preview links are answered before anything else (they use
# no database connection, so they neither wait for nor take a back-pressure token); then a
# request shed under overload costs no query (saas_platform.backpressure).
application = with_image_links(BackPressure(django_application))
