from django.urls import path

from . import portal_views

app_name = "my_schools"
urlpatterns = [
    path("", portal_views.my_schools, name="list"),
    path("<int:school_id>/", portal_views.school, name="school"),
    path(
        "<int:school_id>/statements/<int:period_id>/<str:fmt>/",
        portal_views.statement,
        name="statement",
    ),
    path(
        "<int:school_id>/agreements/<int:pk>/pdf/", portal_views.agreement_pdf, name="agreement_pdf"
    ),
    path(
        "<int:school_id>/agreements/<int:pk>/scan/",
        portal_views.agreement_scan,
        name="agreement_scan",
    ),
]
