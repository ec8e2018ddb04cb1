"""``/media/<schema>/branding/``: the studio's logo, public; mounted before the derived
files' staff-only ``/media/``."""

from django.urls import path

from .views import branding_media

urlpatterns = [
    path("<str:schema>/branding/<path:name>", branding_media, name="branding-media"),
]
