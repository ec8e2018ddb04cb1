from django.urls import path

from . import views

app_name = "shoots"
urlpatterns = [
    path("", views.shoot_list, name="list"),
    path("<int:pk>/status/", views.shoot_change_status, name="status"),
    path("<int:pk>/edit/", views.shoot_edit, name="edit"),
]
