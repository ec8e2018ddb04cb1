"""Reads: who a campaign reaches, and how far a send has got."""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from saas_platform.accounts.models import DELETED_EMAIL_DOMAIN
from studio.access.models import AccessCodeKind
from studio.access.selectors import live_codes, shoot_students
from studio.core.emails import parent_language
from studio.orders.models import OrderLine, OrderProgress
from studio.parents.models import FamilyCode
from studio.shoots.models import Shoot
from tenants.models import Studio

from .models import (
    CampaignKind,
    CampaignSend,
    CampaignSettings,
    Channel,
    RecipientStatus,
    Suppression,
)


@dataclass
class Family:
    """One address and the children (with their codes) it is written to about."""

    address: str
    children: dict[int, str] = field(default_factory=dict)  # student id → name
    codes: dict[int, str] = field(default_factory=dict)  # student id (0: a class) → code


def campaign_settings() -> CampaignSettings:
    settings, _created = CampaignSettings.objects.get_or_create(pk=1)
    return settings


def _ordered(shoot: Shoot) -> tuple[set[int], set[str]]:
    """Children with an order for this picture day, and the addresses that ordered (not
    cancelled orders: an unpaid one gets the orders app's payment reminders instead)."""
    lines = OrderLine.objects.filter(Q(shoot=shoot) | Q(photo__shoot=shoot)).exclude(
        order__progress=OrderProgress.CANCELLED
    )
    children = set(lines.exclude(child=None).values_list("child_id", flat=True))
    emails = {email.lower() for email in lines.values_list("order__email", flat=True)}
    return children, emails


def campaign_audience(*, shoot: Shoot, kind: str) -> list[Family]:
    """The roster's parent addresses of the picture day's children and the parents who opened
    its codes; for a reminder or last chance, minus the children who were ordered for and the
    addresses that ordered. Suppressed addresses are still listed (the send records them as
    unsubscribed)."""
    codes = {
        code.student_id: code.display
        for code in live_codes(shoot=shoot).filter(kind=AccessCodeKind.STUDENT)
    }
    families: dict[str, Family] = {}

    def add(address: str, student_id: int | None, name: str, code: str) -> None:
        address = (address or "").strip().lower()
        if not address or address.endswith("@" + DELETED_EMAIL_DOMAIN):
            return
        family = families.setdefault(address, Family(address=address))
        if student_id:
            family.children[student_id] = name
        if code:
            family.codes[student_id or 0] = code

    for student in shoot_students(shoot=shoot).exclude(parent_emails=[]).order_by("pk"):
        for address in student.parent_emails:
            add(address, student.pk, student.full_name, codes.get(student.pk, ""))
    opened = FamilyCode.objects.filter(
        access_code__shoot=shoot, access_code__revoked_at__isnull=True
    ).select_related("parent", "access_code__student")
    for kept in opened.order_by("pk"):
        student = kept.access_code.student
        add(
            kept.parent.email,
            student.pk if student else None,
            student.full_name if student else "",
            kept.access_code.display,
        )
    if kind in (CampaignKind.REMINDER, CampaignKind.LAST_CHANCE):
        ordered_children, ordered_emails = _ordered(shoot)
        for address in list(families):
            family = families[address]
            for student_id in ordered_children & set(family.children):
                del family.children[student_id]
                family.codes.pop(student_id, None)
            if address in ordered_emails or not (family.children or family.codes):
                del families[address]
    return [families[address] for address in sorted(families)]


def suppressed_addresses(*, channel: str = Channel.EMAIL) -> set[str]:
    return set(Suppression.objects.filter(channel=channel).values_list("address", flat=True))


def family_language(*, studio: Studio, address: str) -> str:
    return parent_language(studio=studio, email=address)


@dataclass(frozen=True)
class Progress:
    total: int
    pending: int
    sent: int
    bounced: int
    unsubscribed: int
    failed: int

    @property
    def done(self) -> int:
        return self.total - self.pending

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.done * 100 // self.total


def send_progress(*, send: CampaignSend) -> Progress:
    """Counts by status, except ``sent``: every message that went and did not bounce, also
    when its family unsubscribed afterwards (they count as unsubscribed too)."""
    counts = dict(
        send.recipients.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    S = RecipientStatus
    delivered = send.recipients.filter(sent_at__isnull=False).exclude(status=S.BOUNCED).count()
    return Progress(
        total=sum(counts.values()),
        pending=counts.get(S.PENDING, 0) + counts.get(S.SENDING, 0),
        sent=delivered,
        bounced=counts.get(S.BOUNCED, 0),
        unsubscribed=counts.get(S.UNSUBSCRIBED, 0),
        failed=counts.get(S.FAILED, 0),
    )


def sends_of(*, shoot: Shoot | None = None):
    sends = CampaignSend.objects.select_related("shoot", "created_by")
    return sends.filter(shoot=shoot) if shoot is not None else sends
