import os

from django.core.wsgi import get_wsgi_application

from saas_platform.backpressure import BackPressure

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas_platform.settings.dev")

# Outermost: a request shed under overload costs no query (saas_platform.backpressure).
application = BackPressure(get_wsgi_application())
