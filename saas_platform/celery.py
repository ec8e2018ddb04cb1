"""The Celery app. Every task is a TenantTask: it carries the schema it was sent from."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas_platform.settings.dev")

app = Celery("pictureday", task_cls="saas_platform.tasks:TenantTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Liveness file for the probes (saas_platform/heartbeat.py), by name: the probe runs that
# module with -m, which must not find it imported already.
app.steps["consumer"].add("saas_platform.heartbeat:WorkerHeartbeat")
