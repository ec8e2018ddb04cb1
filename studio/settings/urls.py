from django.urls import path

from . import views

app_name = "studio_settings"
urlpatterns = [
    path("", views.studio_settings, name="home"),
    path("watermark-preview/", views.watermark_preview, name="watermark_preview"),
    path("watermark-progress/", views.watermark_progress, name="watermark_progress"),
]
