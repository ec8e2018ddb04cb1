"""A new studio's figures are gathered once at sign-up, after it commits, in its own schema:
the console and the limits do not wait for the next periodic run."""

from billing.models import StudioSalesSnapshot, StudioUsage
from saas_platform.accounts.models import User
from tenants.services import studio_create
from tests.conftest import host_client


def test_a_sign_up_collects_the_studios_usage_and_sales_figures_once_it_commits(
    db, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = studio_create(
            name="Gamma Foto",
            slug="gamma",
            owner_email="owner@gamma.test",
            owner_name="G",
            owner_password="correct horse battery staple",
        )
    assert run_tasks == []  # nothing before the commit
    assert not StudioUsage.objects.filter(studio=result.studio).exists()
    for callback in callbacks:
        callback()

    studio_id = result.studio.pk
    assert sorted(name for name, _args, _kwargs in run_tasks) == [
        "studio.plan.tasks.sales_snapshot_collect_for_studio",
        "studio.plan.tasks.usage_collect_for_studio",
    ]
    assert {tuple(args) for _name, args, _kwargs in run_tasks} == {(studio_id,)}
    usage = StudioUsage.objects.get(studio_id=studio_id)
    assert (usage.schools, usage.classes, usage.students, usage.staff) == (0, 0, 0, 1)
    snapshot = StudioSalesSnapshot.objects.get(studio_id=studio_id)
    assert (snapshot.orders_season, snapshot.photos, snapshot.staff) == (0, 0, 1)

    operator = User.objects.create_user(
        email="op@pictureday.test", password="op-secret-123", is_staff=True
    )
    console = host_client("localhost")
    console.force_login(operator)
    page = console.get(f"/console/studios/{studio_id}/").content.decode()
    assert "Not collected yet." not in page
