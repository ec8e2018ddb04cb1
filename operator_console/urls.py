from django.urls import path

from . import views

app_name = "operator_console"
urlpatterns = [
    path("", views.studio_list, name="studios"),
    path("login/", views.console_login, name="login"),
    path("logout/", views.console_logout, name="logout"),
    path("studios/<int:pk>/", views.studio_detail, name="studio"),
    path("studios/<int:pk>/<slug:action>/", views.studio_action, name="action"),
    path("analytics/", views.analytics, name="analytics"),
]
