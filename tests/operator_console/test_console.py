"""The console: operators only, search and filters on one joined query, and each action
through its service with an audit row."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from billing.licences import (
    licence_paid,
    licence_payment_failed,
    licence_suspend,
    licences_expire,
)
from billing.models import LicenceEvent, Plan, PlanKind, StudioSalesSnapshot
from operator_console.models import AuditAction, AuditLog
from saas_platform.accounts.models import Role, User
from tenants.models import Studio, StudioStatus
from tenants.selectors import studio_for_host
from tests.conftest import host_client, logged_in_client

PAGES = ["/console/", "/console/analytics/"]


def _studio_pages(studio):
    return [f"/console/studios/{studio.pk}/"]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_the_console_login(db, path):
    response = host_client("localhost").get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/console/login/?next={path}"


def test_anonymous_posts_do_not_act(alpha):
    response = host_client("localhost").post(
        f"/console/studios/{alpha.studio.pk}/block/", {"reason": "spam"}
    )
    assert response.status_code == 302
    assert Studio.objects.get(pk=alpha.studio.pk).status != StudioStatus.BLOCKED
    assert not AuditLog.objects.exists()


def test_public_users_who_are_not_operators_get_403(alpha):
    for user in (
        User.objects.create_user(email="plain@pictureday.test", password="x-secret-1"),
        User.objects.create_user(
            email="roled@pictureday.test", password="x-secret-1", is_staff=True, role=Role.OWNER
        ),
    ):
        client = host_client("localhost")
        client.force_login(user)
        for path in [*PAGES, *_studio_pages(alpha.studio)]:
            assert client.get(path).status_code == 403, (user.email, path)
        response = client.post(f"/console/studios/{alpha.studio.pk}/block/", {"reason": "x"})
        assert response.status_code == 403
    assert not AuditLog.objects.exists()


def test_a_studio_owner_session_does_not_reach_the_console(alpha):
    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
        User.objects.filter(pk=owner.pk).update(is_staff=True)
        owner.refresh_from_db()
    client = logged_in_client(alpha, owner)
    # not on the studio's host ...
    assert client.get("/console/").status_code == 404
    # ... and the studio session cookie does not log anyone in on the bare domain
    client.defaults["HTTP_HOST"] = "localhost"
    response = client.get("/console/")
    assert response.status_code == 302 and response["Location"].startswith("/console/login/")


def test_an_operator_logs_in_on_the_console_page_and_out_from_its_header(operator):
    client = host_client("localhost")
    page = client.get("/console/login/?next=/console/analytics/")
    assert page.status_code == 200
    assert b'name="next" value="/console/analytics/"' in page.content

    response = client.post(
        "/console/login/",
        {"username": "op@pictureday.test", "password": "op-secret-123", "next": "/console/"},
    )
    assert response.status_code == 302 and response["Location"] == "/console/"
    studios = client.get("/console/")
    assert studios.status_code == 200
    assert b'action="/console/logout/"' in studios.content

    assert client.get("/console/logout/").status_code == 405
    response = client.post("/console/logout/")
    assert response.status_code == 302 and response["Location"] == "/console/login/"
    assert client.get("/console/")["Location"] == "/console/login/?next=/console/"


def test_the_console_login_refuses_studio_roles_plain_users_and_outside_next_urls(db):
    User.objects.create_user(email="plain@pictureday.test", password="x-secret-1")
    User.objects.create_user(
        email="roled@pictureday.test", password="x-secret-1", is_staff=True, role=Role.OWNER
    )
    User.objects.create_user(email="op2@pictureday.test", password="x-secret-1", is_staff=True)
    for email in ("plain@pictureday.test", "roled@pictureday.test"):
        client = host_client("localhost")
        response = client.post("/console/login/", {"username": email, "password": "x-secret-1"})
        assert response.status_code == 200
        assert "That e-mail and password do not match an operator account." in (
            response.content.decode()
        )
        assert "_auth_user_id" not in client.session
    client = host_client("localhost")
    response = client.post(
        "/console/login/",
        {"username": "op2@pictureday.test", "password": "x-secret-1", "next": "https://evil.net/"},
    )
    assert response["Location"] == "/console/"


def test_failed_console_logins_are_limited_per_email_and_a_success_gives_its_attempt_back(
    operator,
):
    client = host_client("localhost")
    for _ in range(4):
        assert (
            client.post(
                "/console/login/", {"username": "op@pictureday.test", "password": "wrong"}
            ).status_code
            == 200
        )
    good = {"username": "op@pictureday.test", "password": "op-secret-123"}
    assert client.post("/console/login/", good).status_code == 302
    client.post("/console/logout/")
    assert client.post("/console/login/", {**good, "password": "wrong"}).status_code == 200
    blocked = client.post("/console/login/", good)
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) <= 15 * 60
    assert "Too many failed log-ins." in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    # while blocked the password is not checked at all: a wrong one reads like the right one
    wrong = client.post("/console/login/", {**good, "password": "wrong"})
    assert wrong.status_code == 429
    assert "do not match" not in wrong.content.decode()


def test_the_list_shows_every_studio_with_its_snapshot_in_one_query(console, alpha, beta):
    StudioSalesSnapshot.objects.create(
        studio=alpha.studio,
        orders_season=7,
        gmv_season=Decimal("123.40"),
        photos=55,
        storage_bytes=3 * 1024**2,
        staff=4,
        computed_at=timezone.now(),
    )
    console.get("/console/")  # the host lookup is cached from then on, whatever ran before
    with CaptureQueriesContext(connection) as queries:
        response = console.get("/console/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Alpha Photo" in page and "Beta Pictures" in page
    assert "Template" not in page
    assert "55" in page and "3.0\xa0MB" in page and "123.40" in page
    studio_queries = [q for q in queries.captured_queries if '"tenants_studio"' in q["sql"]]
    assert len(studio_queries) == 2  # the page count and the page itself
    assert '"billing_studiosalessnapshot"' in studio_queries[-1]["sql"]


def test_search_and_filters(console, alpha, beta):
    plan = Plan.objects.create(code="f-test", name="Filter plan", kind=PlanKind.MONTHLY)
    Studio.objects.filter(pk=alpha.studio.pk).update(
        plan=plan, licence_valid_until=timezone.now() + datetime.timedelta(days=3)
    )
    Studio.objects.filter(pk=beta.studio.pk).update(
        status=StudioStatus.BLOCKED,
        licence_valid_until=timezone.now() + datetime.timedelta(days=30),
    )

    def names(query):
        page = console.get("/console/", query).content.decode()
        return {name for name in ("Alpha Photo", "Beta Pictures") if name in page}

    assert names({"q": "owner@beta"}) == {"Beta Pictures"}
    assert names({"q": "alph"}) == {"Alpha Photo"}
    assert names({"q": "Pictures"}) == {"Beta Pictures"}
    assert names({"status": "blocked"}) == {"Beta Pictures"}
    assert names({"plan": str(plan.pk)}) == {"Alpha Photo"}
    assert names({"plan": "none"}) == {"Beta Pictures"}
    assert names({"expiring": "on"}) == {"Alpha Photo"}
    assert names({}) == {"Alpha Photo", "Beta Pictures"}


def _post(console, studio, action, data):
    return console.post(f"/console/studios/{studio.pk}/{action}/", data)


def test_every_action_needs_a_reason(console, alpha):
    for action, data in (
        ("extend", {"until": "2099-01-31"}),
        ("block", {}),
        ("unblock", {}),
        ("plan", {"plan": ""}),
        ("support", {}),
    ):
        response = _post(console, alpha.studio, action, {**data, "reason": "  "})
        assert response.status_code == 302
    studio = Studio.objects.get(pk=alpha.studio.pk)
    assert studio.status == alpha.studio.status
    assert studio.licence_valid_until == alpha.studio.licence_valid_until
    assert not AuditLog.objects.exists()


def test_extend_licence_is_audited(console, operator, alpha):
    _post(console, alpha.studio, "extend", {"until": "2099-01-31", "reason": "paid by invoice 17"})

    studio = Studio.objects.get(pk=alpha.studio.pk)
    assert studio.licence_valid_until == datetime.datetime(2099, 2, 1, tzinfo=datetime.UTC)
    entry = AuditLog.objects.get()
    assert (entry.actor, entry.studio, entry.action, entry.reason) == (
        operator,
        studio,
        AuditAction.LICENCE_EXTEND,
        "paid by invoice 17",
    )
    assert entry.data["to"] == "2099-02-01T00:00:00+00:00"
    page = console.get(f"/console/studios/{studio.pk}/").content.decode()
    assert "paid by invoice 17" in page and "op@pictureday.test" in page


def test_block_shows_the_reason_to_staff_and_stops_the_storefront_then_unblock(console, alpha):
    # warm the host cache with the active studio first
    assert host_client(alpha.host).get("/healthz").status_code == 200

    _post(console, alpha.studio, "block", {"reason": "Unpaid invoices since March"})

    studio = Studio.objects.get(pk=alpha.studio.pk)
    assert (studio.status, studio.status_reason) == (
        StudioStatus.BLOCKED,
        "Unpaid invoices since March",
    )
    # the cached host lookup serves the blocked row at once: the storefront stops selling
    assert not studio_for_host(hostname=alpha.host).is_selling
    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
    dashboard = logged_in_client(alpha, owner).get("/staff/").content.decode()
    assert "Unpaid invoices since March" in dashboard

    _post(console, alpha.studio, "unblock", {"reason": "paid"})

    studio.refresh_from_db()  # a new studio: back to its trial
    assert (studio.status, studio.status_reason) == (StudioStatus.TRIAL, "")
    dashboard = logged_in_client(alpha, owner).get("/staff/").content.decode()
    assert "Unpaid invoices since March" not in dashboard
    assert list(AuditLog.objects.order_by("id").values_list("action", "reason", "data")) == [
        (AuditAction.BLOCK, "Unpaid invoices since March", {"from": alpha.studio.status}),
        (AuditAction.UNBLOCK, "paid", {"from": StudioStatus.BLOCKED}),
    ]


def _block_then_unblock(console, studio):
    _post(console, studio, "block", {"reason": "Chargeback"})
    assert Studio.objects.get(pk=studio.pk).status == StudioStatus.BLOCKED
    _post(console, studio, "unblock", {"reason": "Sorted out"})
    return Studio.objects.get(pk=studio.pk)


def test_unblock_returns_a_trial_to_its_trial_with_its_end_date(console, alpha):
    trial_end = alpha.studio.licence_valid_until
    assert (alpha.studio.status, trial_end > timezone.now()) == (StudioStatus.TRIAL, True)

    studio = _block_then_unblock(console, alpha.studio)

    assert (studio.status, studio.status_reason, studio.licence_valid_until) == (
        StudioStatus.TRIAL,
        "",
        trial_end,
    )
    assert list(
        LicenceEvent.objects.filter(studio=studio)
        .order_by("id")
        .values_list("from_status", "to_status", "reason")
    ) == [
        (StudioStatus.TRIAL, StudioStatus.BLOCKED, "Chargeback"),
        (StudioStatus.BLOCKED, StudioStatus.TRIAL, "Sorted out"),
    ]


def test_unblock_returns_past_due_with_its_grace_period_and_reason(console, alpha):
    grace = timezone.now() + datetime.timedelta(days=3)
    licence_payment_failed(studio=alpha.studio, source="test")
    Studio.objects.filter(pk=alpha.studio.pk).update(grace_until=grace)

    studio = _block_then_unblock(console, alpha.studio)

    assert (studio.status, studio.status_reason, studio.grace_until) == (
        StudioStatus.PAST_DUE,
        "payment failed",
        grace,
    )


def test_unblock_returns_a_suspended_studio_to_suspended(console, alpha):
    licence_suspend(studio=alpha.studio, reason="trial ended without a plan")

    studio = _block_then_unblock(console, alpha.studio)

    assert (studio.status, studio.status_reason) == (
        StudioStatus.SUSPENDED,
        "trial ended without a plan",
    )


def test_unblock_suspends_a_trial_that_ended_while_blocked(console, alpha):
    _post(console, alpha.studio, "block", {"reason": "Chargeback"})
    ended = timezone.now() - datetime.timedelta(hours=1)
    Studio.objects.filter(pk=alpha.studio.pk).update(licence_valid_until=ended)
    assert licences_expire() == 0  # the sweep leaves a blocked studio alone

    _post(console, alpha.studio, "unblock", {"reason": "Sorted out"})

    studio = Studio.objects.get(pk=alpha.studio.pk)
    assert (studio.status, studio.status_reason, studio.licence_valid_until) == (
        StudioStatus.SUSPENDED,
        "trial ended without a plan",
        ended,
    )


def test_unblock_returns_an_active_studio_to_active(console, alpha):
    paid_until = timezone.now() + datetime.timedelta(days=300)
    licence_paid(studio=alpha.studio, valid_until=paid_until, source="test")

    studio = _block_then_unblock(console, alpha.studio)

    assert (studio.status, studio.status_reason, studio.licence_valid_until) == (
        StudioStatus.ACTIVE,
        "",
        paid_until,
    )


def test_change_plan_is_audited(console, alpha):
    plan = Plan.objects.create(code="pro-test", name="Pro", kind=PlanKind.YEARLY, price=100)

    _post(console, alpha.studio, "plan", {"plan": plan.pk, "reason": "upgrade by phone"})

    assert Studio.objects.get(pk=alpha.studio.pk).plan == plan
    entry = AuditLog.objects.get()
    assert (entry.action, entry.data) == (AuditAction.PLAN_CHANGE, {"from": None, "to": "pro-test"})


def test_open_as_support_lands_a_support_manager_on_the_dashboard_once(console, operator, alpha):
    response = _post(console, alpha.studio, "support", {"reason": "ticket 42"})

    assert response.status_code == 302
    url = response["Location"]
    assert url.startswith("http://alpha.localhost/accounts/welcome/")
    path = url.removeprefix("http://alpha.localhost")
    studio_client = host_client(alpha.host)
    landed = studio_client.get(path)
    assert landed.status_code == 302 and landed["Location"] == "/staff/"
    assert studio_client.get("/staff/").status_code == 200
    with schema_context(alpha.schema):
        support = User.objects.get(email__startswith="support-")
        assert support.role == Role.MANAGER and not support.has_usable_password()
    # the link works once
    assert host_client(alpha.host).get(path)["Location"].startswith("/accounts/login")
    connection.set_schema_to_public()  # the in-process requests left the connection in alpha
    entry = AuditLog.objects.get()
    assert (entry.action, entry.reason, entry.actor) == (
        AuditAction.SUPPORT_LOGIN,
        "ticket 42",
        operator,
    )


def test_support_link_does_not_work_on_another_studio(console, alpha, beta):
    url = _post(console, alpha.studio, "support", {"reason": "ticket 43"})["Location"]
    path = url.split("localhost", 1)[1]
    assert host_client(beta.host).get(path)["Location"].startswith("/accounts/login")


def test_unknown_studio_and_action(console, alpha):
    assert console.get("/console/studios/999999/").status_code == 404
    template = Studio.objects.get(schema_name="studio_template")
    assert console.get(f"/console/studios/{template.pk}/").status_code == 404
    assert _post(console, alpha.studio, "delete", {"reason": "x"}).status_code == 403
    assert console.get(f"/console/studios/{alpha.studio.pk}/block/").status_code == 405


def test_analytics_page_draws_charts(console, alpha):
    from operator_console.services import platform_daily_stat_record

    platform_daily_stat_record()
    page = console.get("/console/analytics/").content.decode()
    assert page.count("<svg") == 5
    assert "<polyline" in page and "<rect" in page
    main = page.split("<main", 1)[1].split("</main>")[0]
    assert "<script" not in main and "https://" not in main


def test_chart_counts_are_whole_numbers_and_labels_sit_outside_the_drawing():
    from saas_platform.charts import svg_chart

    signups = str(svg_chart([("01.09", 0), ("08.09", 2), ("15.09", 1)], title="S", bars=True))
    assert '<div class="chart-top muted">2</div>' in signups
    assert "<title>08.09: 2</title>" in signups
    assert "2.00" not in signups
    assert '<div class="chart-axis muted"><span>01.09</span><span>15.09</span></div>' in signups
    drawing = signups.split("<svg", 1)[1].split("</svg>")[0]
    assert "<text" not in drawing and 'preserveAspectRatio="none"' in signups

    mrr = str(svg_chart([("01.09", Decimal("4.5")), ("02.09", Decimal("7.25"))], title="M"))
    assert '<div class="chart-top muted">7.25</div>' in mrr
    assert 'vector-effect="non-scaling-stroke"' in mrr
    nothing_points = [("01.09", Decimal("0")), ("02.09", Decimal("0"))]
    nothing = str(svg_chart(nothing_points, title="G"))
    assert '<div class="chart-top muted">0.00</div>' in nothing
    big = [("01.09", Decimal("1234.5")), ("02.09", Decimal("12345.25"))]
    assert '<div class="chart-top muted">12,345</div>' in str(svg_chart(big, title="G"))
    with translation.override("ru"):  # the reader's separators, not Python's
        assert '<div class="chart-top muted">0,00</div>' in str(
            svg_chart(nothing_points, title="G")
        )
        assert '<div class="chart-top muted">12\xa0345</div>' in str(svg_chart(big, title="G"))


def test_the_studio_page_has_each_form_with_fields_of_its_own(console, alpha):
    page = console.get(f"/console/studios/{alpha.studio.pk}/").content.decode()
    for form_id in ("extend-reason", "extend-until", "plan-plan", "block-reason", "support-reason"):
        assert page.count(f'id="{form_id}"') == 1, form_id
    assert page.count('name="reason"') == 4


def test_the_studio_page_lists_only_its_own_stripe_events(console, alpha, beta):
    from billing.models import StripeEvent

    Studio.objects.filter(pk=alpha.studio.pk).update(stripe_account_id="acct_alpha")
    Studio.objects.filter(pk=beta.studio.pk).update(stripe_account_id="acct_beta")
    StripeEvent.objects.create(
        event_id="evt_a",
        type="charge.refunded",
        account="acct_alpha",
        payload={},
        outcome="refund recorded",
    )
    StripeEvent.objects.create(
        event_id="evt_b", type="checkout.session.completed", account="acct_beta", payload={}
    )

    page = console.get(f"/console/studios/{alpha.studio.pk}/").content.decode()

    assert "evt_a" in page and "refund recorded" in page
    assert "evt_b" not in page


def test_extending_a_suspended_licence_reactivates_it_and_blocks_are_licence_history(
    console, alpha
):
    from billing.models import LicenceEvent

    Studio.objects.filter(pk=alpha.studio.pk).update(status=StudioStatus.SUSPENDED)
    _post(console, alpha.studio, "extend", {"until": "2099-01-31", "reason": "paid late"})
    assert Studio.objects.get(pk=alpha.studio.pk).status == StudioStatus.ACTIVE

    _post(console, alpha.studio, "block", {"reason": "fraud check"})
    _post(console, alpha.studio, "unblock", {"reason": "cleared"})

    events = list(
        LicenceEvent.objects.filter(studio=alpha.studio)
        .order_by("pk")
        .values_list("from_status", "to_status")
    )
    assert events == [
        (StudioStatus.SUSPENDED, StudioStatus.ACTIVE),
        (StudioStatus.ACTIVE, StudioStatus.BLOCKED),
        (StudioStatus.BLOCKED, StudioStatus.ACTIVE),
    ]
    assert LicenceEvent.objects.filter(source="operator:op@pictureday.test").count() == 3
