"""The studio REST API, at ``/api/`` on each studio's host (OpenAPI at ``/api/schema/``)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from studio.catalogue.api import (
    CouponViewSet,
    PackageViewSet,
    PriceSheetViewSet,
    ProductViewSet,
)
from studio.photos.api import (
    PhotoViewSet,
    ShootPhotoUploadView,
    ShootProgressView,
    UploadViewSet,
)
from studio.reports.api import (
    AgeingReportView,
    ConversionReportView,
    LedgerReportView,
    PhotographersReportView,
    RetouchersReportView,
    SalesReportView,
)
from studio.schools.api import SchoolClassViewSet, SchoolViewSet, StudentViewSet
from studio.shoots.api import ShootViewSet

router = DefaultRouter()
router.register("schools", SchoolViewSet, basename="school")
router.register("classes", SchoolClassViewSet, basename="schoolclass")
router.register("students", StudentViewSet, basename="student")
router.register("shoots", ShootViewSet, basename="shoot")
router.register("photos", PhotoViewSet, basename="photo")
router.register("uploads", UploadViewSet, basename="upload")
router.register("catalogue/products", ProductViewSet, basename="product")
router.register("catalogue/price-sheets", PriceSheetViewSet, basename="pricesheet")
router.register("catalogue/packages", PackageViewSet, basename="package")
router.register("catalogue/coupons", CouponViewSet, basename="coupon")

urlpatterns = [
    path("shoots/<int:shoot_id>/files/", ShootPhotoUploadView.as_view(), name="shoot-files"),
    path("shoots/<int:pk>/progress/", ShootProgressView.as_view(), name="shoot-progress"),
    path("reports/sales/", SalesReportView.as_view(), name="report-sales"),
    path("reports/conversion/", ConversionReportView.as_view(), name="report-conversion"),
    path("reports/photographers/", PhotographersReportView.as_view(), name="report-photographers"),
    path("reports/retouchers/", RetouchersReportView.as_view(), name="report-retouchers"),
    path("reports/unpaid/", AgeingReportView.as_view(), name="report-unpaid"),
    path("reports/ledger/", LedgerReportView.as_view(), name="report-ledger"),
    *router.urls,
]
