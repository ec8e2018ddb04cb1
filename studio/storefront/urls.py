from django.urls import path

from . import views

app_name = "storefront"
urlpatterns = [
    path("gallery/", views.gallery, name="gallery"),
    path("gallery/<int:photo_id>/<str:size>.jpg", views.gallery_image, name="gallery_image"),
]
