"""The whole role × action matrix, from a table a person can read."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.core.policy import Action, may
from studio.schools.models import School
from tests.conftest import logged_in_client

MATRIX = """
action                   owner manager photographer retoucher principal parent
view_dashboard             y      y         y           y         y        -
view_production            y      y         y           y         -        -
manage_studio_settings     y      -         -           -         -        -
export_studio_data         y      -         -           -         -        -
manage_billing             y      -         -           -         -        -
manage_staff               y      -         -           -         -        -
manage_api_tokens          y      y         -           -         -        -
view_audit_log             y      -         -           -         -        -
manage_schools             y      y         -           -         -        -
manage_shoots              y      y         -           -         -        -
manage_catalogue           y      y         -           -         -        -
upload_photos              y      y         y           -         -        -
retouch_photos             -      -         -           y         -        -
review_retouch             y      y         -           -         -        -
publish_gallery            y      y         -           -         -        -
manage_orders              y      y         -           -         -        -
record_payment             y      y         -           -         -        -
refund_order               y      y         -           -         -        -
export_lab_batch           y      y         -           -         -        -
view_studio_reports        y      -         -           -         -        -
close_period               y      -         -           -         -        -
view_school_report         y      y         -           -         y        -
view_own_statement         -      -         y           y         -        -
view_staff_pay             y      y         -           -         -        -
manage_staff_pay           y      -         -           -         -        -
view_child_gallery         -      -         -           -         -        y
place_order                -      -         -           -         -        y
erase_child                y      y         -           -         -        -
record_consent             y      y         -           -         -        -
manage_campaigns           y      y         -           -         -        -
manage_own_account         -      -         -           -         -        y
"""


def _table():
    header, *rows = [line.split() for line in MATRIX.strip().splitlines()]
    roles = header[1:]
    return roles, {row[0]: dict(zip(roles, row[1:], strict=True)) for row in rows}


ROLES, EXPECTED = _table()
CASES = [(action, role, EXPECTED[action][role] == "y") for action in EXPECTED for role in ROLES]


def test_the_table_covers_every_action_and_every_role():
    assert set(EXPECTED) == {action.value for action in Action}
    assert set(ROLES) == {role.value for role in Role}


@pytest.mark.parametrize(("action", "role", "allowed"), CASES)
def test_role_may_or_may_not(action, role, allowed):
    user = User(email=f"{role}@x.test", role=role, is_active=True)
    assert may(user, Action(action)) is allowed


@pytest.mark.parametrize("action", list(Action))
def test_anonymous_inactive_and_platform_operators_may_nothing_in_a_studio(action):
    assert may(AnonymousUser(), action) is False
    assert may(User(email="gone@x.test", role=Role.OWNER, is_active=False), action) is False
    assert may(User(email="op@x.test", role="", is_staff=True, is_superuser=True), action) is False


def test_a_principal_sees_only_the_schools_they_are_bound_to(in_alpha):
    principal = User.objects.create_user(email="p@alpha.test", password="x", role=Role.PRINCIPAL)
    theirs = School.objects.create(name="School No. 5")
    other = School.objects.create(name="Lyceum 2")
    theirs.principals.add(principal)
    manager = User.objects.create_user(email="m@alpha.test", password="x", role=Role.MANAGER)

    assert may(principal, Action.VIEW_SCHOOL_REPORT, theirs) is True
    assert may(principal, Action.VIEW_SCHOOL_REPORT, other) is False
    assert may(manager, Action.VIEW_SCHOOL_REPORT, other) is True


ROLE_PAGES = [
    # role, status of /staff/, text that must be on it, text that must not
    (Role.OWNER, 200, "Lyceum 2", None),
    (Role.MANAGER, 200, "Lyceum 2", None),
    (Role.PHOTOGRAPHER, 200, "Hello", "Lyceum 2"),
    (Role.RETOUCHER, 200, "Hello", "Lyceum 2"),
    (Role.PRINCIPAL, 200, "School No. 5", "Lyceum 2"),
]


@pytest.mark.parametrize(("role", "status", "shown", "hidden"), ROLE_PAGES)
def test_dashboard_shows_each_role_what_is_theirs(alpha, role, status, shown, hidden):
    with schema_context(alpha.schema):
        user = User.objects.create_user(
            email=f"{role}-test@alpha.test", password="pw-123456", role=role
        )
        School.objects.create(name="Lyceum 2")
        School.objects.create(name="School No. 5").principals.add(user)

    client = logged_in_client(alpha, user)
    page = client.get("/staff/")

    assert page.status_code == status
    assert shown in page.content.decode()
    if hidden:
        assert hidden not in page.content.decode()


def test_a_parent_is_sent_to_the_storefront_not_the_staff_dashboard(alpha):
    with schema_context(alpha.schema):
        parent = User.objects.create_user(email="mum@alpha.test", password="pw", role=Role.PARENT)
    client = logged_in_client(alpha, parent)

    assert client.get("/staff/")["Location"] == "/"
