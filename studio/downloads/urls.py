from django.urls import path

from . import views

app_name = "downloads"
urlpatterns = [
    path("get/<str:token>/", views.download_file, name="file"),
    path("thumb/<str:token>/", views.download_thumb, name="thumb"),
    path("<str:number>/reissue/", views.reissue, name="reissue"),
    path("<str:number>/invoice.pdf", views.invoice, name="invoice"),
]
