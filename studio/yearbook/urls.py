from django.urls import path

from . import views

app_name = "yearbook"
urlpatterns = [
    path("schools/<int:school_id>/", views.school_exports, name="school_exports"),
    path(
        "schools/<int:school_id>/export/<int:export_id>/download/",
        views.school_export_download,
        name="school_export_download",
    ),
    path("<int:shoot_id>/", views.poses, name="poses"),
    path("<int:shoot_id>/choose/", views.pose_choose_view, name="choose"),
    path("<int:shoot_id>/deadline/", views.deadline_set, name="deadline"),
    path("<int:shoot_id>/export/", views.export_start, name="export"),
    path(
        "<int:shoot_id>/export/<int:export_id>/download/",
        views.export_download,
        name="export_download",
    ),
    path("<int:shoot_id>/composites/<int:class_id>/", views.composite_page, name="composite"),
    path(
        "<int:shoot_id>/composites/<int:class_id>/preview.jpg",
        views.composite_preview,
        name="composite_preview",
    ),
]
