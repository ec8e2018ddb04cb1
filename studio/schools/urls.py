from django.urls import path

from . import views

app_name = "schools"

CLASS = "<int:school_id>/classes/<int:class_id>/"
STUDENT = CLASS + "students/<int:student_id>/"

urlpatterns = [
    path("", views.school_list, name="list"),
    path("new/", views.school_create, name="create"),
    path("<int:school_id>/", views.school_detail, name="detail"),
    path("<int:school_id>/edit/", views.school_edit, name="edit"),
    path("<int:school_id>/delete/", views.school_delete, name="delete"),
    path("<int:school_id>/import/", views.roster_upload, name="import"),
    path("<int:school_id>/import/preview/", views.roster_preview, name="import_preview"),
    path("<int:school_id>/import/discard/", views.roster_discard, name="import_discard"),
    path("<int:school_id>/classes/new/", views.class_create, name="class_create"),
    path(CLASS, views.class_detail, name="class_detail"),
    path(CLASS + "edit/", views.class_edit, name="class_edit"),
    path(CLASS + "delete/", views.class_delete, name="class_delete"),
    path(CLASS + "students/new/", views.student_create, name="student_create"),
    path(STUDENT + "edit/", views.student_edit, name="student_edit"),
    path(STUDENT + "delete/", views.student_delete, name="student_delete"),
]
