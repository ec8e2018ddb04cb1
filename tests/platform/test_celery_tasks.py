"""A real Celery worker process against real Redis: every task runs in its studio's schema."""

import time

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from billing.models import StudioUsage
from saas_platform.tasks import SCHEMA_HEADER
from studio.plan.tasks import usage_collect_all, usage_collect_for_studio
from studio.schools.models import School, SchoolClass, Student

pytestmark = pytest.mark.worker


@pytest.fixture
def two_studios_with_pupils(live_studios, committed):
    """alpha: 1 school, 1 class, 3 students; beta: 2 schools, 2 classes, 1 student."""
    alpha, beta = live_studios["alpha"], live_studios["beta"]
    with committed():
        with schema_context(alpha.schema):
            cls = SchoolClass.objects.create(
                school=School.objects.create(name="A1"), name="1A", school_year="2026-2027"
            )
            for n in range(3):
                Student.objects.create(school_class=cls, first_name=f"A{n}", last_name="Alpha")
        with schema_context(beta.schema):
            for n in range(2):
                cls = SchoolClass.objects.create(
                    school=School.objects.create(name=f"B{n}"), name="2B", school_year="2026-2027"
                )
            Student.objects.create(school_class=cls, first_name="B", last_name="Beta")
    yield alpha, beta
    with committed():
        for studio in (alpha, beta):
            with schema_context(studio.schema):
                School.objects.all().delete()
        StudioUsage.objects.all().delete()


def test_worker_runs_each_task_in_the_schema_it_was_sent_from(
    two_studios_with_pupils, celery_worker_process
):
    alpha, beta = two_studios_with_pupils
    with schema_context(alpha.schema):
        from_alpha = usage_collect_for_studio.delay(alpha.studio.id)
    with schema_context(beta.schema):
        from_beta = usage_collect_for_studio.delay(beta.studio.id)

    assert from_alpha.get(timeout=60) == {
        "schema": "studio_alpha",
        "schools": 1,
        "classes": 1,
        "students": 3,
        "staff": 1,
    }
    assert from_beta.get(timeout=60) == {
        "schema": "studio_beta",
        "schools": 2,
        "classes": 2,
        "students": 1,
        "staff": 1,
    }


def test_public_fan_out_enters_every_studio_explicitly(
    two_studios_with_pupils, celery_worker_process, committed
):
    alpha, beta = two_studios_with_pupils
    assert connection.schema_name == "public"
    sent = usage_collect_all.delay().get(timeout=60)
    assert sent >= 2

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with committed():
            rows = dict(
                StudioUsage.objects.filter(studio__in=[alpha.studio, beta.studio]).values_list(
                    "studio__slug", "students"
                )
            )
        if len(rows) == 2:
            break
        time.sleep(0.2)
    assert rows == {"alpha": 3, "beta": 1}


def test_enqueue_on_commit_waits_for_commit_and_keeps_the_schema_of_the_call(
    alpha, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        "celery.app.task.Task.apply_async",
        lambda self, args=None, kwargs=None, **options: sent.append(
            (self.name, args, kwargs, options["headers"])
        ),
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with schema_context(alpha.schema):
            usage_collect_for_studio.enqueue_on_commit(alpha.studio.id)
        assert sent == []  # nothing leaves before the transaction commits
    # by commit time the code is back in the public schema, yet the task goes to alpha

    assert len(callbacks) == 1
    assert sent == [
        (
            "studio.plan.tasks.usage_collect_for_studio",
            (alpha.studio.id,),
            {},
            {SCHEMA_HEADER: "studio_alpha"},
        )
    ]
