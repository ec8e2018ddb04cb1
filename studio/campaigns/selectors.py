"""Reads: who a campaign reaches, and how far a send has got."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, Q

from saas_platform.accounts.models import email_reaches_someone
from studio.access.models import AccessCodeKind
from studio.access.selectors import live_codes, shoot_students
from studio.core.emails import parent_language
from studio.orders.models import OrderLine, OrderProgress
from studio.parents.models import FamilyCode, ParentPhone
from studio.schools.models import Student
from studio.shoots.models import Shoot
from studio.sms.selectors import phones_opted_out, sms_configured
from studio.sms.services import phone_e164
from tenants.models import Studio

from .models import (
    CampaignChannels,
    CampaignKind,
    CampaignSend,
    CampaignSettings,
    Channel,
    RecipientStatus,
    Suppression,
)


@dataclass
class Family:
    """One address (an e-mail, or a phone in E.164) and the children (with their codes) it is
    written to about."""

    address: str
    children: dict[int, str] = field(default_factory=dict)  # student id → name
    codes: dict[int, str] = field(default_factory=dict)  # student id (0: a class) → code
    channel: str = Channel.EMAIL


def campaign_settings() -> CampaignSettings:
    settings, _created = CampaignSettings.objects.get_or_create(pk=1)
    return settings


def _ordered(shoot: Shoot) -> tuple[set[int], set[str], set[str]]:
    """Children with an order for this picture day, the addresses that ordered and the phones
    that did (not cancelled orders: an unpaid one gets the orders app's payment reminders
    instead). A phone ordered when its parent account (``ParentPhone``) placed an order, or
    when it is on the roster of a child someone ordered for: that family has ordered."""
    lines = OrderLine.objects.filter(Q(shoot=shoot) | Q(photo__shoot=shoot)).exclude(
        order__progress=OrderProgress.CANCELLED
    )
    children = set(lines.exclude(child=None).values_list("child_id", flat=True))
    emails = {email.lower() for email in lines.values_list("order__email", flat=True)}
    parents = set(lines.exclude(order__parent=None).values_list("order__parent_id", flat=True))
    phones = set(
        ParentPhone.objects.filter(
            Q(parent_id__in=parents) | Q(parent__email__in=emails)
        ).values_list("phone", flat=True)
    )
    for roster in Student.objects.filter(pk__in=children).values_list("parent_phones", flat=True):
        phones.update(_e164(phone) for phone in roster)
    return children, emails, phones


def _e164(phone: str) -> str:
    try:
        return phone_e164(phone)
    except ValidationError:
        return ""


def campaign_channels() -> set[str]:
    """The channels campaigns go by now: the studio's choice, SMS only while its SMS provider
    is set up (without one, a studio that chose SMS alone is written to by e-mail)."""
    chosen = campaign_settings().channels
    channels = set()
    if chosen in (CampaignChannels.EMAIL, CampaignChannels.BOTH):
        channels.add(Channel.EMAIL)
    if chosen in (CampaignChannels.SMS, CampaignChannels.BOTH) and sms_configured():
        channels.add(Channel.SMS)
    return channels or {Channel.EMAIL}


def campaign_audience(*, shoot: Shoot, kind: str, channels: set[str] | None = None) -> list[Family]:
    """The roster's parent addresses (and, by SMS, phones) of the picture day's children and
    the parents who opened its codes; for a reminder or last chance, minus the children who
    were ordered for and the addresses and phones that ordered. Suppressed or opted-out ones
    are still listed (the send records them as unsubscribed). E-mails first, then phones."""
    channels = campaign_channels() if channels is None else channels
    codes = {
        code.student_id: code.display
        for code in live_codes(shoot=shoot).filter(kind=AccessCodeKind.STUDENT)
    }
    families: dict[tuple[str, str], Family] = {}

    def add(channel: str, address: str, student_id: int | None, name: str, code: str) -> None:
        if channel not in channels:
            return
        if channel == Channel.EMAIL:
            address = (address or "").strip().lower()
            if not email_reaches_someone(address):
                return
        else:
            address = _e164(address)
            if not address:
                return
        family = families.setdefault((channel, address), Family(address=address, channel=channel))
        if student_id:
            family.children[student_id] = name
        if code:
            family.codes[student_id or 0] = code

    students = shoot_students(shoot=shoot).exclude(parent_emails=[], parent_phones=[])
    for student in students.order_by("pk"):
        code = codes.get(student.pk, "")
        for address in student.parent_emails:
            add(Channel.EMAIL, address, student.pk, student.full_name, code)
        for phone in student.parent_phones:
            add(Channel.SMS, phone, student.pk, student.full_name, code)
    opened = FamilyCode.objects.filter(
        access_code__shoot=shoot, access_code__revoked_at__isnull=True
    ).select_related("parent__sign_in_phone", "access_code__student")
    for kept in opened.order_by("pk"):
        student = kept.access_code.student
        who = (
            student.pk if student else None,
            student.full_name if student else "",
            kept.access_code.display,
        )
        add(Channel.EMAIL, kept.parent.email, *who)
        signed_in_by_phone = getattr(kept.parent, "sign_in_phone", None)
        if signed_in_by_phone is not None:
            add(Channel.SMS, signed_in_by_phone.phone, *who)
    if kind in (CampaignKind.REMINDER, CampaignKind.LAST_CHANCE):
        ordered_children, ordered_emails, ordered_phones = _ordered(shoot)
        for key in list(families):
            family = families[key]
            for student_id in ordered_children & set(family.children):
                del family.children[student_id]
                family.codes.pop(student_id, None)
            ordered = ordered_emails if family.channel == Channel.EMAIL else ordered_phones
            if family.address in ordered or not (family.children or family.codes):
                del families[key]
    order = {Channel.EMAIL: 0, Channel.SMS: 1}
    return [families[key] for key in sorted(families, key=lambda k: (order[k[0]], k[1]))]


def suppressed_addresses(*, channel: str = Channel.EMAIL) -> set[str]:
    return set(Suppression.objects.filter(channel=channel).values_list("address", flat=True))


def opted_out(*, channel: str, addresses) -> set[str]:
    """Which of ``addresses`` campaigns may not write to: unsubscribed or bounced, and for a
    phone also one that replied STOP (``studio.sms``)."""
    addresses = set(addresses)
    blocked = suppressed_addresses(channel=channel) & addresses
    if channel == Channel.SMS:
        blocked |= phones_opted_out(addresses)
    return blocked


def family_language(*, studio: Studio, address: str, channel: str = Channel.EMAIL) -> str:
    """The family's language: its account's (found by e-mail, or by the phone it signs in
    with), else the studio's."""
    if channel == Channel.SMS:
        account = ParentPhone.objects.filter(phone=address).select_related("parent").first()
        return parent_language(studio=studio, parent=account.parent if account else None)
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
