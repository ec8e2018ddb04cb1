"""Parents' code entry, on the studio's host at the storefront root (``/``)."""

from django.urls import path

from . import views

app_name = "access"
urlpatterns = [
    path("", views.enter, name="enter"),
    path("access/", views.submit, name="submit"),
    path("find-my-code/", views.find_my_code, name="find_my_code"),
    path("find-my-code/sent/", views.find_my_code_sent, name="find_my_code_sent"),
]
