"""The operator console on the bare domain. Pages read public tables only (the snapshots
filled by the periodic tasks); actions go through ``services`` and are audited."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_tenants.utils import get_public_schema_name

from billing.models import StripeEvent
from saas_platform import ratelimit
from saas_platform.charts import svg_chart
from tenants.models import StudioStatus
from tenants.selectors import studio_primary_host

from . import selectors, services
from .forms import (
    ConsoleLoginForm,
    LicenceExtendForm,
    PlanChangeForm,
    ReasonForm,
    StudioDeleteForm,
    StudioFilterForm,
)

PAGE_SIZE = 50


def is_operator(user) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and not user.role
        and connection.schema_name == get_public_schema_name()
    )


def operator_required(view):
    """Platform operators only: anonymous visitors go to the console's login, others get 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("operator_console:login"))
        if not is_operator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _safe_next(request, value):
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse("operator_console:studios")


def console_login(request):
    """The operators' log-in on the bare domain; failed attempts are rate-limited per
    address and per e-mail (a success gives its attempt back)."""
    if connection.schema_name != get_public_schema_name():
        raise PermissionDenied
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if is_operator(request.user):
        return redirect(next_url)
    form = ConsoleLoginForm(request, data=request.POST or None)
    context = {"form": form, "next": next_url}
    if request.method == "POST":
        counted = ratelimit.login_attempt(
            request, scope="console-login", email=request.POST.get("username", "")
        )
        if isinstance(counted, ratelimit.Blocked):
            # An unbound form: rendering the bound one would check the password after all
            # and tell a right one from a wrong one while blocked.
            form = ConsoleLoginForm(request, initial={"username": request.POST.get("username")})
            return ratelimit.login_blocked_response(
                request, "operator_console/login.html", {**context, "form": form}, counted
            )
        if form.is_valid():
            counted.refund()
            login(request, form.get_user())
            return redirect(next_url)
    return render(request, "operator_console/login.html", context)


@require_POST
def console_logout(request):
    logout(request)
    messages.success(request, _("You are logged out."))
    return redirect("operator_console:login")


@operator_required
def studio_list(request):
    form = StudioFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    studios = selectors.console_studios(
        query=filters.get("q", ""),
        status=filters.get("status", ""),
        plan=filters.get("plan", ""),
        expiring=filters.get("expiring", False),
    )
    page = Paginator(studios, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "operator_console/studio_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def _studio(pk):
    return get_object_or_404(
        selectors.console_studios().select_related("plan", "sales_snapshot"), pk=pk
    )


@operator_required
def studio_detail(request, pk):
    studio = _studio(pk)
    payments = (
        StripeEvent.objects.filter(account=studio.stripe_account_id).order_by("-received_at")[:50]
        if studio.stripe_account_id
        else []
    )
    return render(
        request,
        "operator_console/studio_detail.html",
        {
            "s": studio,
            "snapshot": getattr(studio, "sales_snapshot", None),
            "host": studio_primary_host(studio=studio),
            "payments": payments,
            "audit": studio.audit_entries.select_related("actor")[:100],
            # one page, four forms: ids of their own so each label points at its field
            "extend_form": LicenceExtendForm(auto_id="extend-%s"),
            "plan_form": PlanChangeForm(initial={"plan": studio.plan_id}, auto_id="plan-%s"),
            "block_form": ReasonForm(auto_id="block-%s"),
            "support_form": ReasonForm(auto_id="support-%s"),
            "blocked": studio.status == StudioStatus.BLOCKED,
            "deletion": selectors.pending_deletion(studio=studio),
            "delete_form": StudioDeleteForm(auto_id="delete-%s", studio=studio),
            "cancel_form": ReasonForm(auto_id="cancel-%s"),
            "grace_days": settings.STUDIO_DELETION_GRACE_DAYS,
        },
    )


ACTIONS = {
    "delete": (
        StudioDeleteForm,
        lambda r, s, d: services.studio_deletion_schedule(
            actor=r.user, studio=s, reason=d["reason"]
        ),
        gettext_lazy("Deletion scheduled; the owner has been e-mailed."),
    ),
    "extend": (
        LicenceExtendForm,
        lambda r, s, d: services.licence_extend(
            actor=r.user, studio=s, until=d["until"], reason=d["reason"]
        ),
        gettext_lazy("Licence extended."),
    ),
    "block": (
        ReasonForm,
        lambda r, s, d: services.studio_block(actor=r.user, studio=s, reason=d["reason"]),
        gettext_lazy("Studio blocked."),
    ),
    "unblock": (
        ReasonForm,
        lambda r, s, d: services.studio_unblock(actor=r.user, studio=s, reason=d["reason"]),
        gettext_lazy("Studio unblocked."),
    ),
    "cancel-deletion": (
        ReasonForm,
        lambda r, s, d: services.studio_deletion_cancel(actor=r.user, studio=s, reason=d["reason"]),
        gettext_lazy("Deletion cancelled."),
    ),
    "plan": (
        PlanChangeForm,
        lambda r, s, d: services.plan_change(
            actor=r.user, studio=s, plan=d["plan"], reason=d["reason"]
        ),
        gettext_lazy("Plan changed."),
    ),
}


@require_POST
@operator_required
def studio_action(request, pk, action):
    studio = _studio(pk)
    if action == "support":
        form = ReasonForm(request.POST)
        if form.is_valid():
            url = services.support_login_issue(
                actor=request.user,
                studio=studio,
                reason=form.cleaned_data["reason"],
                request=request,
            )
            return redirect(url)
        messages.error(request, _("A reason is required."))
        return redirect("operator_console:studio", pk=studio.pk)
    if action not in ACTIONS:
        raise PermissionDenied
    form_class, run, done = ACTIONS[action]
    form = form_class(request.POST, **({"studio": studio} if action == "delete" else {}))
    if form.is_valid():
        try:
            run(request, studio, form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, str(done))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("operator_console:studio", pk=studio.pk)


@operator_required
def analytics(request):
    stats = selectors.platform_stats()
    label = lambda stat: date_format(stat.date, "MONTH_DAY_FORMAT")  # noqa: E731
    charts = [
        (
            _("Sign-ups per week"),
            svg_chart(
                [(date_format(w, "MONTH_DAY_FORMAT"), n) for w, n in selectors.signups_per_week()],
                title=_("Sign-ups per week"),
                bars=True,
            ),
        ),
        (
            _("Active studios"),
            svg_chart([(label(s), s.active_studios) for s in stats], title=_("Active studios")),
        ),
        (_("MRR"), svg_chart([(label(s), s.mrr) for s in stats], title=_("MRR"))),
        (_("GMV per day"), svg_chart([(label(s), s.gmv) for s in stats], title=_("GMV per day"))),
        (
            _("Platform revenue per day"),
            svg_chart(
                [(label(s), s.platform_revenue) for s in stats], title=_("Platform revenue per day")
            ),
        ),
    ]
    return render(
        request,
        "operator_console/analytics.html",
        {"charts": charts, "latest": stats[-1] if stats else None, "stats": stats[-14:][::-1]},
    )
