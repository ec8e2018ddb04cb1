"""``/staff/shoots/<id>/``: the picture day's page, where its photos are uploaded and tagged
(the photos app's, since it is built around the photos; ``shoots`` keeps the list and status)."""

from django.urls import path

from .views import picture_day

app_name = "picture_day"
urlpatterns = [
    path("<int:pk>/", picture_day, name="detail"),
]
