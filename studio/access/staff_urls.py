"""Staff pages for access codes, mounted at ``/staff/access/``."""

from django.urls import path

from . import staff_views

app_name = "access_staff"
urlpatterns = [
    path("", staff_views.shoot_list, name="list"),
    path("shoots/<int:pk>/", staff_views.shoot_codes, name="shoot"),
    path("shoots/<int:pk>/issue/", staff_views.issue, name="issue"),
    path("shoots/<int:pk>/email/", staff_views.email_parents, name="email"),
    path("shoots/<int:pk>/cards.pdf", staff_views.cards, name="cards"),
    path("shoots/<int:pk>/class-cards.pdf", staff_views.class_cards, name="class_cards"),
    path("codes/<int:code_id>/regenerate/", staff_views.regenerate, name="regenerate"),
]
