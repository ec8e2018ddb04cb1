from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("", views.index, name="index"),
    path("shoots/<int:shoot_id>/", views.shoot, name="shoot"),
    path("sends/<int:send_id>/", views.send, name="send"),
    path("recipients/<int:recipient_id>/bounce/", views.bounce, name="bounce"),
    path("messages/", views.message_list, name="messages"),
    path("messages/<str:kind>/<str:language>/", views.message_edit, name="message"),
]
