from django.urls import path

from . import views

app_name = "domains"
urlpatterns = [
    path("", views.domain_list, name="list"),
    path("<int:pk>/check/", views.domain_check, name="check"),
    path("<int:pk>/primary/", views.domain_primary, name="primary"),
    path("<int:pk>/remove/", views.domain_remove, name="remove"),
]
