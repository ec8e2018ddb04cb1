from django.urls import path

from . import views

app_name = "operator_console"
urlpatterns = [
    path("", views.studio_list, name="studios"),
    path("studios/<int:pk>/", views.studio_detail, name="studio"),
    path("studios/<int:pk>/<slug:action>/", views.studio_action, name="action"),
    path("analytics/", views.analytics, name="analytics"),
]
