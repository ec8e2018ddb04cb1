"""Schemathesis against the studio API: every operation of the served schema, with valid and
invalid data, as the studio's owner (a bearer token), through Django's real WSGI handler and
the whole middleware stack. Every answer must be no 5xx, and its status, content type,
headers and body must be what the schema says.

Each operation is also called once more with its path ids swapped for real records of the
studio (a school, an order, a batch …), so the operations' bodies are exercised on real
objects, not only on 404s. Examples are derandomised and bounded per operation, so the run
is the same on every machine and takes about two minutes on two cores."""

import datetime
import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django_tenants.utils import schema_context
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from rest_framework.utils.encoders import JSONEncoder as _Encoder
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .world import build_world, path_ids

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 4

# The chunk upload's body is raw bytes under tus' media type.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")


class _App:
    """Django's WSGI handler, made on first use (after pytest-django set Django up)."""

    handler = None

    def __call__(self, environ, start_response):
        if self.handler is None:
            self.handler = WSGIHandler()
        return self.handler(environ, start_response)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The handler runs in this thread and shares the test's transaction, so the connection
    must not be closed at the end of each request as a server would."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(alpha, media_in_tmp):
    with schema_context(alpha.schema):
        world = build_world(alpha)
    return {**world, "host": alpha.host}


def _served_schema() -> dict:
    """What ``/api/schema/`` serves (the same generator; ``test_the_schema_is_the_served_one``
    holds them together). Made at import: schemathesis' lazy pytest loader does not run on
    pytest 9."""
    return SchemaGenerator().get_schema(request=None, public=True)


# The coverage phase tries each operation's boundary values (max lengths, minimum and maximum
# amounts), valid ones only; fuzzing then adds valid and invalid data. Other methods than the
# documented ones (405) are left out: no check here reads them.
CONFIG = SchemathesisConfig.from_dict(
    {
        "phases": {
            "coverage": {"unexpected-methods": [], "generation": {"mode": "positive"}},
        }
    }
)
schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(_served_schema(), cls=_Encoder)), config=CONFIG
)
schema.app = _App()


def test_the_schema_is_the_served_one(alpha):
    served = APIClient(HTTP_HOST=alpha.host).get("/api/schema/?format=json").json()

    assert served == json.loads(json.dumps(_served_schema(), cls=_Encoder))


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=datetime.timedelta(seconds=10),
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_the_api_keeps_to_its_schema(case, world):
    headers = {"Host": world["host"], "Authorization": f"Bearer {world['token']}"}

    case.call_and_validate(headers=headers, checks=CHECKS)
    real = path_ids(case.path, case.path_parameters or {}, world["ids"])
    if real:
        case.path_parameters = real
        case.call_and_validate(headers=headers, checks=CHECKS)
