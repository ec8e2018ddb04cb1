from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("team/", views.team, name="team"),
    path("settings/", views.settings_index, name="settings"),
    path("team/<int:pk>/deactivate/", views.team_deactivate, name="team_deactivate"),
    path("team/<int:pk>/reactivate/", views.team_reactivate, name="team_reactivate"),
    path("team/<int:pk>/role/", views.team_role, name="team_role"),
]
