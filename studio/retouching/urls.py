from django.urls import path

from . import views

app_name = "retouching"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("claim/<int:shoot_id>/", views.claim, name="claim"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/download/", views.batch_download, name="download"),
    path("batches/<int:pk>/upload/", views.batch_upload, name="upload"),
    path("batches/<int:pk>/submit/", views.batch_submit, name="submit"),
    path("send/<int:shoot_id>/", views.send, name="send"),
    path("review/<int:shoot_id>/", views.review, name="review"),
    path("decide/<int:photo_id>/", views.decide, name="decide"),
]
