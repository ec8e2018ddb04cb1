from django.urls import path

from . import preorders, views, yearbook_pose

app_name = "storefront"
urlpatterns = [
    path("gallery/", views.gallery, name="gallery"),
    path("gallery/<int:photo_id>/", views.photo_view, name="photo"),
    path("gallery/<int:photo_id>/favourite/", views.favourite_toggle, name="favourite"),
    path(
        "gallery/<int:photo_id>/yearbook/",
        yearbook_pose.yearbook_pose_choose,
        name="yearbook_pose",
    ),
    path("gallery/hide-child/", views.child_hide, name="child_hide"),
    path("gallery/credits/<int:credit_id>/", preorders.credit_page, name="credit"),
    path("preorder/", preorders.preorder_enter, name="preorder"),
    path("preorder/<str:code>/", preorders.preorder_class, name="preorder_class"),
    path("cart/", views.cart_view, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/add-package/", views.cart_add_package_view, name="cart_add_package"),
    path("cart/update/", views.cart_update, name="cart_update"),
    path("checkout/", views.checkout, name="checkout"),
    path("account/", views.account, name="account"),
    path("account/delete/", views.account_delete, name="account_delete"),
    path("account/consent/", views.consent_decide, name="consent"),
    path("account/orders/<str:number>/", views.order_detail, name="order"),
    path("account/orders/<str:number>/pay/", views.order_pay, name="order_pay"),
]
