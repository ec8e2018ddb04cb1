from django.urls import path

from . import views

app_name = "photos"
urlpatterns = [
    path("shoot/<int:shoot_id>/bulk/", views.photos_bulk_action, name="bulk"),
    path("shoot/<int:shoot_id>/tag-csv/", views.photos_tag_csv, name="tag_csv"),
    path("<int:pk>/original/", views.photo_original, name="original"),
    path("versions/<int:pk>/", views.photo_version_file, name="version_file"),
]
