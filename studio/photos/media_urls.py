"""``/media/``: derived files (thumbnails, previews) on a studio's host."""

from django.urls import path

from .views import derived_media

urlpatterns = [
    path("<path:path>", derived_media, name="derived-media"),
]
