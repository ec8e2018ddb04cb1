"""The studio REST API, at ``/api/`` on each studio's host (OpenAPI at ``/api/schema/``)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from studio.access.api import AccessCardsView, AccessCodeViewSet
from studio.campaigns.api import (
    CampaignSendViewSet,
    CampaignSettingsView,
    MessageTemplateViewSet,
    RecipientViewSet,
)
from studio.catalogue.api import (
    CouponViewSet,
    EarlyBirdViewSet,
    FreeItemViewSet,
    PackageViewSet,
    PriceSheetViewSet,
    ProductOptionViewSet,
    ProductViewSet,
    QuantityTierViewSet,
)
from studio.commissions.api import SchoolCommissionsView, SchoolStatementsView
from studio.orders.api import OrderViewSet, PaymentViewSet
from studio.parents.api import ParentViewSet
from studio.payments.api import OrderRefundView
from studio.payroll.api import MyStatementView, PayRunListView, PersonStatementView
from studio.photos.api import (
    PhotoViewSet,
    ShootPhotoUploadView,
    ShootProgressView,
    UploadViewSet,
)
from studio.preorders.api import CreditViewSet, PreorderCodeViewSet, PreorderSetupViewSet
from studio.reports.api import (
    AgeingReportView,
    ConversionReportView,
    LedgerReportView,
    PhotographersReportView,
    RetouchersReportView,
    SalesReportView,
)
from studio.retouching.api import RetouchBatchViewSet, RetouchQueueView, RetouchReviewView
from studio.schools.api import SchoolClassViewSet, SchoolViewSet, StudentViewSet
from studio.shoots.api import ShootViewSet
from studio.yearbook.api import (
    CompositeViewSet,
    DeadlineViewSet,
    ExportViewSet,
    PoseViewSet,
)

router = DefaultRouter()
router.register("schools", SchoolViewSet, basename="school")
router.register("classes", SchoolClassViewSet, basename="schoolclass")
router.register("students", StudentViewSet, basename="student")
router.register("shoots", ShootViewSet, basename="shoot")
router.register("photos", PhotoViewSet, basename="photo")
router.register("uploads", UploadViewSet, basename="upload")
router.register("catalogue/products", ProductViewSet, basename="product")
router.register("catalogue/product-options", ProductOptionViewSet, basename="productoption")
router.register("catalogue/price-sheets", PriceSheetViewSet, basename="pricesheet")
router.register("catalogue/packages", PackageViewSet, basename="package")
router.register("catalogue/quantity-tiers", QuantityTierViewSet, basename="quantitytier")
router.register("catalogue/early-birds", EarlyBirdViewSet, basename="earlybird")
router.register("catalogue/free-items", FreeItemViewSet, basename="freeitem")
router.register("catalogue/coupons", CouponViewSet, basename="coupon")
router.register("orders", OrderViewSet, basename="order")
router.register("payments", PaymentViewSet, basename="payment")
router.register("access-codes", AccessCodeViewSet, basename="accesscode")
router.register("retouch/batches", RetouchBatchViewSet, basename="retouchbatch")
router.register("parents", ParentViewSet, basename="parent")
router.register("campaigns/messages", MessageTemplateViewSet, basename="campaignmessage")
router.register("campaigns/sends", CampaignSendViewSet, basename="campaignsend")
router.register("campaigns/recipients", RecipientViewSet, basename="campaignrecipient")
router.register("preorders/shoots", PreorderSetupViewSet, basename="preordersetup")
router.register("preorders/codes", PreorderCodeViewSet, basename="preordercode")
router.register("preorders/credits", CreditViewSet, basename="preordercredit")
router.register("yearbook/poses", PoseViewSet, basename="yearbookpose")
router.register("yearbook/deadlines", DeadlineViewSet, basename="yearbookdeadline")
router.register("yearbook/exports", ExportViewSet, basename="yearbookexport")
router.register("yearbook/composites", CompositeViewSet, basename="yearbookcomposite")

urlpatterns = [
    path("shoots/<int:shoot_id>/files/", ShootPhotoUploadView.as_view(), name="shoot-files"),
    path("shoots/<int:pk>/progress/", ShootProgressView.as_view(), name="shoot-progress"),
    path("pay/statements/me/", MyStatementView.as_view(), name="pay-statement-mine"),
    path(
        "pay/statements/<int:person_id>/",
        PersonStatementView.as_view(),
        name="pay-statement",
    ),
    path("pay/runs/", PayRunListView.as_view(), name="pay-runs"),
    path("commissions/schools/", SchoolCommissionsView.as_view(), name="commission-schools"),
    path(
        "commissions/schools/<int:school_id>/statements/",
        SchoolStatementsView.as_view(),
        name="commission-statements",
    ),
    path("campaigns/settings/", CampaignSettingsView.as_view(), name="campaign-settings"),
    path("reports/sales/", SalesReportView.as_view(), name="report-sales"),
    path("reports/conversion/", ConversionReportView.as_view(), name="report-conversion"),
    path("reports/photographers/", PhotographersReportView.as_view(), name="report-photographers"),
    path("reports/retouchers/", RetouchersReportView.as_view(), name="report-retouchers"),
    path("reports/unpaid/", AgeingReportView.as_view(), name="report-unpaid"),
    path("reports/ledger/", LedgerReportView.as_view(), name="report-ledger"),
    path("orders/<int:pk>/refund/", OrderRefundView.as_view(), name="order-refund"),
    path(
        "shoots/<int:shoot_id>/access-cards/", AccessCardsView.as_view(), name="shoot-access-cards"
    ),
    path("retouch/queue/", RetouchQueueView.as_view(), name="retouch-queue"),
    path("retouch/review/<int:photo_id>/", RetouchReviewView.as_view(), name="retouch-review"),
    *router.urls,
]
