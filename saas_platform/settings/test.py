"""Tests: the development stack, with fast hashing and mail kept in memory.

The cache key prefix and Celery queue are unique per test process and travel to the web
servers and workers the tests start (through the environment), so parallel runs and stale
entries from earlier runs never meet.
"""

import os
import uuid

from .dev import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# No spare schemas unless a test turns the pool on (tests/tenants/test_spares.py): every other
# test's sign-up copies the base schema as before, and nothing queues refills.
TENANT_SPARE_SCHEMAS = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The web server and worker the tests start write their mail into a folder the tests read.
if os.environ.get("PICTUREDAY_TEST_MAIL_DIR"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["PICTUREDAY_TEST_MAIL_DIR"]

_RUN_ID = os.environ.setdefault("PICTUREDAY_TEST_RUN", uuid.uuid4().hex[:12])
# pytest-xdist workers share the run id (the controller set it) and the studios' schema names,
# so each worker, and the servers it starts (they inherit the variable), gets its own cache
# keys and queue; otherwise one worker's cached gallery or task meets another's database.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
CACHES["default"]["KEY_PREFIX"] = f"test-{_RUN_ID}{_WORKER}"  # noqa: F405
CELERY_TASK_DEFAULT_QUEUE = f"test-{_RUN_ID}{_WORKER}"
# A test database of its own per run, so concurrent runs on one server never collide.
DATABASES["default"]["TEST"] = {"NAME": f"test_pictureday_{_RUN_ID}"}  # noqa: F405
