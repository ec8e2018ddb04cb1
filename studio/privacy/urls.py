from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("consent-text/", views.consent_texts, name="consent_texts"),
    path("children/<int:student_id>/", views.child, name="child"),
    path("children/<int:student_id>/erase/", views.child_erase_view, name="child_erase"),
]
