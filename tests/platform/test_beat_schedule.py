"""Every entry of beat's schedule names a task the worker knows: a typo would only show as a
"received unregistered task" line in a worker's log, hours after a deploy."""

import pytest
from django.conf import settings

from saas_platform.celery import app


@pytest.mark.parametrize("entry", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_each_scheduled_task_is_registered(entry):
    app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE[entry]["task"] in app.tasks
