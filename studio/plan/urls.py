from django.urls import path

from . import views

app_name = "plan"
urlpatterns = [
    path("", views.billing, name="home"),
    path("plan/", views.plan_choose, name="choose"),
    path("card/", views.manage_card, name="card"),
]
