from django.urls import path

from . import views

app_name = "commissions"
urlpatterns = [
    path("", views.index, name="index"),
    path("close/", views.month_close, name="close"),
    path("schools/<int:school_id>/", views.school_detail, name="school"),
    path(
        "schools/<int:school_id>/agreements/new/", views.agreement_create, name="agreement_create"
    ),
    path("schools/<int:school_id>/payout/", views.payout, name="payout"),
    path(
        "schools/<int:school_id>/statements/<int:period_id>/<str:fmt>/",
        views.statement,
        name="statement",
    ),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("agreements/<int:pk>/move/", views.agreement_move, name="agreement_move"),
    path("agreements/<int:pk>/pdf/", views.agreement_pdf, name="agreement_pdf"),
    path("agreements/<int:pk>/scan/", views.agreement_scan, name="agreement_scan"),
]
