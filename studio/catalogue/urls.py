from django.urls import path

from . import views

app_name = "catalogue"

PRODUCT = "products/<int:product_id>/"
SHEET = "sheets/<int:sheet_id>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("products/new/", views.product_create, name="product_create"),
    path(PRODUCT, views.product_edit, name="product"),
    path(PRODUCT + "archive/", views.product_archive, name="product_archive"),
    path(PRODUCT + "delete/", views.product_delete, name="product_delete"),
    path(PRODUCT + "options/new/", views.option_create, name="option_create"),
    path(PRODUCT + "options/<int:option_id>/", views.option_edit, name="option_edit"),
    path("sheets/new/", views.sheet_create, name="sheet_create"),
    path(SHEET, views.sheet_detail, name="sheet"),
    path(SHEET + "name/", views.sheet_rename, name="sheet_rename"),
    path(SHEET + "prices/", views.sheet_prices, name="sheet_prices"),
    path(SHEET + "duplicate/", views.sheet_duplicate, name="sheet_duplicate"),
    path(SHEET + "attach/", views.sheet_attach, name="sheet_attach"),
    path(SHEET + "detach/<int:attachment_id>/", views.sheet_detach, name="sheet_detach"),
    path(SHEET + "packages/new/", views.package_create, name="package_create"),
    path(SHEET + "packages/<int:package_id>/", views.package_edit, name="package"),
    path(SHEET + "tiers/new/", views.tier_create, name="tier_create"),
    path(SHEET + "tiers/<int:tier_id>/delete/", views.tier_delete, name="tier_delete"),
    path(SHEET + "early-birds/new/", views.early_bird_create, name="early_bird_create"),
    path(
        SHEET + "early-birds/<int:early_bird_id>/delete/",
        views.early_bird_delete,
        name="early_bird_delete",
    ),
    path(SHEET + "free-items/new/", views.free_item_create, name="free_item_create"),
    path(
        SHEET + "free-items/<int:free_item_id>/delete/",
        views.free_item_delete,
        name="free_item_delete",
    ),
    path(SHEET + "sibling/", views.sibling_set, name="sibling"),
    path(SHEET + "coupons/new/", views.coupon_create, name="coupon_create"),
    path(SHEET + "coupons/<int:coupon_id>/toggle/", views.coupon_toggle, name="coupon_toggle"),
]
