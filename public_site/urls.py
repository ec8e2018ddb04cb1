from django.urls import path

from . import views

app_name = "public_site"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("pricing/", views.pricing, name="pricing"),
    path("signup/", views.sign_up, name="signup"),
]
