from dataclasses import dataclass

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from saas_platform.accounts.models import Role
from studio.audit.models import AuditEntry, AuditKind
from studio.catalogue.models import PriceSheetAttachment
from studio.core.policy import Action, may
from studio.orders.selectors import orders_today_summary
from studio.payments.providers import CashProvider, enabled_providers
from studio.photos.models import Photo, RetouchStatus
from studio.schools.models import School, SchoolClass, Student
from studio.schools.selectors import schools_visible_to
from studio.shoots.models import Shoot, ShootStatus
from tenants.selectors import current_studio, studio_tzinfo


def dashboard_summary(*, user) -> dict:
    schools = schools_visible_to(user=user).annotate(class_count=Count("classes"))
    summary = {"schools": list(schools) if may(user, Action.VIEW_SCHOOL_REPORT) else []}
    if may(user, Action.MANAGE_SCHOOLS):
        summary["class_count"] = SchoolClass.objects.count()
        summary["student_count"] = Student.objects.count()
    if may(user, Action.MANAGE_ORDERS):
        studio = current_studio()
        summary["orders"] = orders_today_summary(currency=studio.currency, tz=studio_tzinfo(studio))
    return summary


@dataclass(frozen=True)
class ChecklistStep:
    key: str
    title: str
    done: bool
    url: str


def first_day_checklist(*, studio) -> list[ChecklistStep]:
    """A new studio's way to its first sale, each step ticked by the data itself (nothing to
    mark by hand): school → roster → prices → payments → picture day → photos → published."""
    school = School.objects.order_by("pk").first()
    shoot = Shoot.objects.order_by("pk").first()
    shoot_url = reverse("picture_day:detail", args=[shoot.pk]) if shoot else reverse("shoots:list")
    return [
        ChecklistStep("school", _("Add a school"), school is not None, reverse("schools:list")),
        ChecklistStep(
            "roster",
            _("Import the roster"),
            Student.objects.exists(),
            reverse("schools:import", args=[school.pk]) if school else reverse("schools:list"),
        ),
        ChecklistStep(
            "prices",
            _("Set your prices"),
            PriceSheetAttachment.objects.filter(sheet__items__isnull=False).exists(),
            reverse("catalogue:index"),
        ),
        ChecklistStep(
            "payments",
            _("Connect card payments or choose offline methods"),
            payment_methods_chosen(studio=studio),
            reverse("payments:settings"),
        ),
        ChecklistStep(
            "shoot", _("Create a picture day"), shoot is not None, reverse("shoots:list")
        ),
        ChecklistStep("upload", _("Upload the photos"), Photo.objects.exists(), shoot_url),
        ChecklistStep(
            "publish",
            _("Publish the gallery"),
            Shoot.objects.filter(status__in=[ShootStatus.PUBLISHED, ShootStatus.CLOSED]).exists(),
            shoot_url,
        ),
    ]


def payment_methods_chosen(*, studio) -> bool:
    """Whether the owner has said how parents pay: cash is on for a new studio before anyone
    chose it, so it counts only once the payment settings were saved; card payments and bank
    transfers (they need the owner's bank details) count as soon as they work."""
    methods = {provider.identifier for provider in enabled_providers(studio)}
    if methods - {CashProvider.identifier}:
        return True
    return bool(methods) and (
        AuditEntry.objects.filter(kind=AuditKind.PAYMENT_SETTINGS_CHANGED).exists()
    )


def own_work(*, user) -> dict:
    """What a photographer or a retoucher has to do (their dashboard shows this instead of
    the studio's figures)."""
    if user.role == Role.PHOTOGRAPHER:
        shoots = (
            Shoot.objects.filter(photographers=user)
            .exclude(status=ShootStatus.CLOSED)
            .select_related("school")
            .annotate(photo_count=Count("photos"))
            .order_by("date", "pk")
        )
        return {"shoots": list(shoots)}
    if user.role == Role.RETOUCHER:
        return {
            "queued": Photo.objects.filter(retouch_status=RetouchStatus.QUEUED).count(),
            "mine": Photo.objects.filter(
                retouch_batch__retoucher=user,
                retouch_status__in=[RetouchStatus.CLAIMED, RetouchStatus.SENT_BACK],
            ).count(),
        }
    return {}


@dataclass(frozen=True)
class SettingsPage:
    title: str
    description: str
    url: str


# The studio's set-up pages and who may open them: the menu's "Settings" entry leads here,
# and the list follows the policy, so a role sees every page it may use and nothing else.
_SETTINGS_PAGES = [
    (
        Action.MANAGE_STUDIO_SETTINGS,
        "studio_settings:home",
        _("Studio"),
        _("Name, logo, colour, watermark, currency, language, time zone, contacts."),
    ),
    (
        Action.MANAGE_STUDIO_SETTINGS,
        "payments:settings",
        _("Payments"),
        _("Card payments through Stripe, bank transfer and cash."),
    ),
    (
        Action.MANAGE_STUDIO_SETTINGS,
        "domains:list",
        _("Domains"),
        _("Your storefront at a domain of your own."),
    ),
    (
        Action.MANAGE_STAFF,
        "dashboard:team",
        _("Team"),
        _("Invite photographers, retouchers and managers; switch people off."),
    ),
    (
        Action.MANAGE_BILLING,
        "plan:home",
        _("Billing"),
        _("Your Pictureday plan, licence and usage."),
    ),
    (
        Action.MANAGE_API_TOKENS,
        "api_tokens:list",
        _("API tokens"),
        _("Keys for your own tools and scripts."),
    ),
    (
        Action.RECORD_CONSENT,
        "privacy:consent_texts",
        _("Consent to publish"),
        _("The consent text families agree to, in versions."),
    ),
    (
        Action.MANAGE_CAMPAIGNS,
        "campaigns:index",
        _("Campaigns"),
        _("Messages to families: photos online, reminders before the deadline, last chance."),
    ),
    (Action.VIEW_AUDIT_LOG, "audit:log", _("Audit log"), _("Who changed which setting, and when.")),
    (
        Action.EXPORT_STUDIO_DATA,
        "exports:home",
        _("Export your data"),
        _("Everything the studio keeps here, as one ZIP: tables, photos and a README."),
    ),
]


def settings_pages(*, user) -> list[SettingsPage]:
    return [
        SettingsPage(title, description, reverse(url_name))
        for action, url_name, title, description in _SETTINGS_PAGES
        if may(user, action)
    ]
