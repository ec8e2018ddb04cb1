"""Operators' actions on studios (each audited) and the writes of the periodic figures."""

import datetime
import logging
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context
from sorl.thumbnail import default as sorl_default
from sorl.thumbnail.images import ImageFile

from billing.licences import licence_block, licence_transition, licence_unblock
from billing.models import Plan, PlanKind, StudioSalesSnapshot
from billing.subscriptions import studio_stripe_detach
from saas_platform import purge
from saas_platform.accounts.models import SUPPORT_EMAIL_DOMAIN, Role, User
from saas_platform.accounts.services import login_token_issue
from tenants.models import Studio, StudioStatus
from tenants.selectors import (
    host_cache_forget,
    public_url,
    serving_studios,
    studio_tzinfo,
    studio_url,
)

from .models import (
    AuditAction,
    AuditLog,
    NoticeKind,
    OperatorNotice,
    PlatformDailyStat,
    StudioDeletion,
)

logger = logging.getLogger(__name__)


# --- periodic figures -----------------------------------------------------------------------


def _active_studios():
    now = timezone.now()
    return serving_studios().filter(
        Q(status__in=[StudioStatus.TRIAL, StudioStatus.ACTIVE])
        & (Q(licence_valid_until__isnull=True) | Q(licence_valid_until__gt=now))
    )


def monthly_fee(plan: Plan | None) -> Decimal:
    if plan is None:
        return Decimal("0")
    if plan.kind == PlanKind.MONTHLY:
        return plan.price
    if plan.kind == PlanKind.YEARLY:
        return (plan.price / 12).quantize(Decimal("0.01"))
    return Decimal("0")


def platform_daily_stat_record(*, day: datetime.date | None = None) -> PlatformDailyStat:
    """Today's (UTC) platform figures from the public tables: sign-ups, active studios, MRR
    of the active studios' plans, and GMV/platform revenue from today's snapshots."""
    day = day or timezone.now().date()
    with schema_context(get_public_schema_name()):
        active = list(_active_studios().select_related("plan"))
        sales = StudioSalesSnapshot.objects.filter(studio__in=serving_studios()).aggregate(
            gmv=Sum("gmv_today"), revenue=Sum("platform_revenue_today")
        )
        stat, _created = PlatformDailyStat.objects.update_or_create(
            date=day,
            defaults={
                "signups": serving_studios().filter(created_at__date=day).count(),
                "active_studios": len(active),
                "mrr": sum((monthly_fee(s.plan) for s in active), Decimal("0")),
                "gmv": sales["gmv"] or Decimal("0"),
                "platform_revenue": sales["revenue"] or Decimal("0"),
                "computed_at": timezone.now(),
            },
        )
    return stat


# --- actions --------------------------------------------------------------------------------


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("A reason is required."), code="reason")
    return reason


def _audit(*, actor: User, studio: Studio, action: str, reason: str, data: dict) -> AuditLog:
    return AuditLog.objects.create(
        actor=actor, actor_email=actor.email, studio=studio, action=action, reason=reason, data=data
    )


def _save_studio(studio: Studio, fields: list[str]) -> None:
    studio.save(update_fields=fields)
    # The host lookup caches the studio row: the storefront must see the change now.
    host_cache_forget(hostnames=list(studio.domains.values_list("domain", flat=True)))


@transaction.atomic
def licence_extend(*, actor: User, studio: Studio, until: datetime.date, reason: str) -> AuditLog:
    """The licence runs to the end of ``until`` in the studio's time zone; a studio suspended
    for a lapsed licence or payment is active again (a blocked one stays blocked)."""
    reason = _require_reason(reason)
    valid_until = datetime.datetime.combine(
        until + datetime.timedelta(days=1), datetime.time.min, tzinfo=studio_tzinfo(studio)
    )
    if valid_until <= timezone.now():
        raise ValidationError(_("Choose a date in the future."), code="past")
    before = studio.licence_valid_until
    studio.licence_valid_until = valid_until
    _save_studio(studio, ["licence_valid_until"])
    licence_transition(
        studio=studio,
        to=StudioStatus.ACTIVE,
        reason=reason,
        source=f"operator:{actor.email}",
        allow_from=(StudioStatus.SUSPENDED, StudioStatus.PAST_DUE),
        grace_until=None,
    )
    studio.refresh_from_db()
    return _audit(
        actor=actor,
        studio=studio,
        action=AuditAction.LICENCE_EXTEND,
        reason=reason,
        data={"from": before.isoformat() if before else None, "to": valid_until.isoformat()},
    )


@transaction.atomic
def studio_block(*, actor: User, studio: Studio, reason: str) -> AuditLog:
    """Stops the storefront and makes staff read-only; the reason is shown to the studio's
    staff. Through the licence state machine, so it is in the licence history too."""
    reason = _require_reason(reason)
    before = studio.status
    licence_block(studio=studio, reason=reason, source=f"operator:{actor.email}")
    studio.refresh_from_db()
    return _audit(
        actor=actor, studio=studio, action=AuditAction.BLOCK, reason=reason, data={"from": before}
    )


@transaction.atomic
def studio_unblock(*, actor: User, studio: Studio, reason: str) -> AuditLog:
    """Back to the state the block interrupted (``billing.licences.licence_unblock``)."""
    reason = _require_reason(reason)
    before = studio.status
    licence_unblock(studio=studio, reason=reason, source=f"operator:{actor.email}")
    studio.refresh_from_db()
    return _audit(
        actor=actor, studio=studio, action=AuditAction.UNBLOCK, reason=reason, data={"from": before}
    )


@transaction.atomic
def plan_change(*, actor: User, studio: Studio, plan: Plan | None, reason: str) -> AuditLog:
    reason = _require_reason(reason)
    before = studio.plan
    studio.plan = plan
    _save_studio(studio, ["plan"])
    return _audit(
        actor=actor,
        studio=studio,
        action=AuditAction.PLAN_CHANGE,
        reason=reason,
        data={
            "from": before.code if before else None,
            "to": plan.code if plan else None,
        },
    )


def support_email(actor: User) -> str:
    return f"support-{actor.pk}@{SUPPORT_EMAIL_DOMAIN}"


@transaction.atomic
def support_login_issue(*, actor: User, studio: Studio, reason: str, request=None) -> str:
    """A one-time sign-in link to the studio's dashboard as a support user of that studio
    (a manager without a password, one per operator, named so the studio can see it).
    Returns the absolute URL on the studio's host."""
    reason = _require_reason(reason)
    with schema_context(studio.schema_name):
        user, _created = User.objects.get_or_create(
            email=support_email(actor),
            defaults={
                "full_name": _("Pictureday support (%(name)s)") % {"name": actor.get_full_name()},
                "role": Role.MANAGER,
            },
        )
        if _created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        elif not user.is_active or user.role != Role.MANAGER:
            user.is_active, user.role = True, Role.MANAGER
            user.save(update_fields=["is_active", "role"])
        token = login_token_issue(user=user)
    _audit(
        actor=actor,
        studio=studio,
        action=AuditAction.SUPPORT_LOGIN,
        reason=reason,
        data={"support_user": user.email},
    )
    return studio_url(studio=studio, path=f"/accounts/welcome/{token}/", request=request)


# --- deleting a studio ------------------------------------------------------------------


def _deletion_warning_send(deletion: StudioDeletion, studio: Studio) -> None:
    """The owner hears of it in the studio's language, with the date and whom to write to."""
    if not studio.owner_email:
        return
    with translation.override(studio.language or settings.LANGUAGE_CODE):
        when = timezone.localtime(deletion.delete_after, studio_tzinfo(studio))
        values = {
            "name": studio.name,
            "date": when.strftime("%Y-%m-%d %H:%M"),
            "host": f"{studio.slug}.{settings.BASE_DOMAIN}",
            "support": settings.SUPPORT_EMAIL
            or (settings.OPERATOR_EMAILS[0] if settings.OPERATOR_EMAILS else ""),
        }
        subject = _("%(name)s will be deleted on %(date)s") % values
        body = (
            _(
                "Pictureday will delete the studio %(name)s (%(host)s) on %(date)s: its schools, "
                "photos, orders, parents' accounts and every stored file. This cannot be undone "
                "afterwards.\n\nIf this is a mistake, write to %(support)s before then."
            )
            % values
        )
    send_mail(subject, body, None, [studio.owner_email])
    deletion.warned_at = timezone.now()
    deletion.save(update_fields=["warned_at"])


@transaction.atomic
def studio_deletion_schedule(
    *, actor: User, studio: Studio, reason: str, days: int | None = None
) -> StudioDeletion:
    """The studio is deleted when the grace period ends (``studio_deletions_run``); the owner
    is e-mailed now and the operators can cancel until then."""
    reason = _require_reason(reason)
    days = settings.STUDIO_DELETION_GRACE_DAYS if days is None else days
    studio = Studio.objects.select_for_update().get(pk=studio.pk)
    if StudioDeletion.objects.filter(
        studio=studio, cancelled_at__isnull=True, deleted_at__isnull=True
    ).exists():
        raise ValidationError(_("A deletion is already scheduled."), code="scheduled")
    deletion = StudioDeletion.objects.create(
        studio=studio,
        studio_name=studio.name,
        slug=studio.slug,
        schema_name=studio.schema_name,
        requested_by=actor,
        requested_by_email=actor.email,
        reason=reason,
        delete_after=timezone.now() + datetime.timedelta(days=days),
    )
    _audit(
        actor=actor,
        studio=studio,
        action=AuditAction.DELETION_SCHEDULED,
        reason=reason,
        data={"delete_after": deletion.delete_after.isoformat()},
    )
    transaction.on_commit(lambda: _deletion_warning_send(deletion, studio))
    return deletion


@transaction.atomic
def studio_deletion_cancel(*, actor: User, studio: Studio, reason: str) -> StudioDeletion:
    reason = _require_reason(reason)
    deletion = (
        StudioDeletion.objects.select_for_update()
        .filter(studio=studio, cancelled_at__isnull=True, deleted_at__isnull=True)
        .first()
    )
    if deletion is None:
        raise ValidationError(_("No deletion is scheduled."), code="none")
    deletion.cancelled_at = timezone.now()
    deletion.cancelled_by_email = actor.email
    deletion.save(update_fields=["cancelled_at", "cancelled_by_email"])
    _audit(
        actor=actor,
        studio=studio,
        action=AuditAction.DELETION_CANCELLED,
        reason=reason,
        data={"delete_after": deletion.delete_after.isoformat()},
    )
    return deletion


def _logo_thumbnails_forget(studio: Studio) -> None:
    """sorl's key-value store (public schema) remembers the logo's sizes by file name."""
    if studio.logo:
        with schema_context(studio.schema_name):
            image = ImageFile(studio.logo.name, sorl_default.storage)
            sorl_default.kvstore.delete_thumbnails(image)
            sorl_default.kvstore.delete(image)


def _legacy_logo_delete(studio: Studio) -> None:
    """A logo uploaded before logos lived in the studio's media (and never moved by
    ``studio_logos_adopt``) is under the public schema's prefix: the one file of a studio
    outside its own."""
    name = studio.logo.name if studio.logo else ""
    if not name:
        return
    with schema_context(studio.schema_name):
        if default_storage.exists(name):
            return
    with schema_context(get_public_schema_name()):
        if default_storage.exists(name):
            default_storage.delete(name)


def studio_deletion_carry_out(*, deletion: StudioDeletion) -> StudioDeletion:
    """Deletes everything of the studio: its Stripe subscription and customer, its schema
    (every row of its people, photos and orders), then every file under its storage prefix
    and every cache key under its schema prefix. Safe to run again after a failure: each
    step finds what is left."""
    with schema_context(get_public_schema_name()):
        report = dict(deletion.report)
        studio = Studio.objects.filter(pk=deletion.studio_id).first()
        if studio is not None:
            report["stripe"] = studio_stripe_detach(studio=studio)
            _logo_thumbnails_forget(studio)
            _legacy_logo_delete(studio)
            hosts = list(studio.domains.values_list("domain", flat=True))
            with transaction.atomic():
                studio.delete(force_drop=True)  # drops the schema (DDL is transactional)
                StudioDeletion.objects.filter(pk=deletion.pk).update(report=report)
            host_cache_forget(hostnames=hosts)
        leftovers = purge.schema_leftovers_delete(schema_name=deletion.schema_name)
        report.update(files=leftovers.files, cache_keys=leftovers.cache_keys)
        report.pop("error", None)
        deletion.report = report
        deletion.studio = None
        deletion.deleted_at = timezone.now()
        deletion.save(update_fields=["report", "studio", "deleted_at"])
    return deletion


def studio_deletions_run(*, now=None) -> int:
    """The periodic task: every deletion whose grace period is over. A failure is recorded
    on its row and retried on the next run; the others go on."""
    now = now or timezone.now()
    done = 0
    with schema_context(get_public_schema_name()):
        due = list(
            StudioDeletion.objects.filter(
                cancelled_at__isnull=True, deleted_at__isnull=True, delete_after__lte=now
            ).order_by("delete_after", "pk")
        )
    for deletion in due:
        try:
            studio_deletion_carry_out(deletion=deletion)
            done += 1
        except Exception as error:  # noqa: BLE001 - one studio's failure must not stop the rest
            logger.exception("deleting studio %s failed", deletion.slug)
            StudioDeletion.objects.filter(pk=deletion.pk).update(
                report={**deletion.report, "error": repr(error)[:500]}
            )
    return done


# --- notifications to operators -------------------------------------------------------------


def _notice_once(*, studio: Studio, kind: str, key: str, subject: str, body: str) -> bool:
    """Sends the e-mail unless this event was told already; True when sent."""
    if not settings.OPERATOR_EMAILS:
        return False
    try:
        with transaction.atomic():
            OperatorNotice.objects.create(studio=studio, kind=kind, key=key)
            send_mail(subject, body, None, settings.OPERATOR_EMAILS)
    except IntegrityError:
        return False
    return True


def _console_link(studio: Studio) -> str:
    return public_url(path=f"/console/studios/{studio.pk}/")


def operator_signup_notify(*, studio_id: int) -> bool:
    """Tells the operators about a new studio (called after the sign-up commits)."""
    with schema_context(get_public_schema_name()):
        studio = Studio.objects.filter(pk=studio_id).first()
        if studio is None:
            return False
        return _notice_once(
            studio=studio,
            kind=NoticeKind.SIGNUP,
            key="",
            subject=_("New studio: %(name)s") % {"name": studio.name},
            body=_("%(name)s (%(slug)s) signed up, owner %(email)s.\n\n%(link)s\n")
            % {
                "name": studio.name,
                "slug": studio.slug,
                "email": studio.owner_email,
                "link": _console_link(studio),
            },
        )


def licence_notices_send(*, now=None) -> int:
    """E-mails the operators once per studio and licence end: 7 days before, and when it
    lapsed. Returns the number of e-mails sent."""
    now = now or timezone.now()
    sent = 0
    with schema_context(get_public_schema_name()):
        studios = serving_studios().filter(
            licence_valid_until__isnull=False,
            licence_valid_until__lte=now + datetime.timedelta(days=7),
            licence_valid_until__gt=now - datetime.timedelta(days=30),
        )
        for studio in studios:
            lapsed = studio.licence_valid_until <= now
            kind = NoticeKind.LAPSED if lapsed else NoticeKind.EXPIRING
            until = timezone.localdate(studio.licence_valid_until)
            values = {"name": studio.name, "date": until.isoformat()}
            subject = (
                _("Licence lapsed: %(name)s") if lapsed else _("Licence expiring: %(name)s")
            ) % values
            body = (
                (
                    _("The licence of %(name)s ended on %(date)s.")
                    if lapsed
                    else _("The licence of %(name)s ends on %(date)s.")
                )
                % values
                + "\n\n"
                + _console_link(studio)
                + "\n"
            )
            sent += _notice_once(
                studio=studio,
                kind=kind,
                key=studio.licence_valid_until.isoformat(),
                subject=subject,
                body=body,
            )
    return sent
