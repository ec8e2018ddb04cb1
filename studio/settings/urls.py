from django.urls import path

from . import views

app_name = "studio_settings"
urlpatterns = [
    path("", views.studio_settings, name="home"),
    path("watermark-progress/", views.watermark_progress, name="watermark_progress"),
]
