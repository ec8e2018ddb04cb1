from django.urls import path

from . import views

app_name = "exports"
urlpatterns = [
    path("", views.export_home, name="home"),
    path("start/", views.export_start_view, name="start"),
    path("progress/", views.export_progress, name="progress"),
    path("download/<str:token>/", views.export_download, name="download"),
]
