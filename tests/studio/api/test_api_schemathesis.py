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
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from saas_platform.accounts.models import Role, User
from saas_platform.accounts.services import api_token_create
from studio.access.services import access_codes_issue
from studio.parents.models import FamilyCode
from studio.photos.models import Upload
from studio.retouching.models import RetouchBatch
from tests.studio.orders.conftest import make_shop, place_order

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 5

# The record a path id names, by the path's beginning (first match wins).
REAL_IDS = [
    ("/api/schools/", "school"),
    ("/api/classes/", "class"),
    ("/api/students/", "student"),
    ("/api/shoots/", "shoot"),
    ("/api/photos/", "photo"),
    ("/api/uploads/", "upload"),
    ("/api/orders/", "order"),
    ("/api/payments/", "payment"),
    ("/api/access-codes/", "code"),
    ("/api/retouch/batches/", "batch"),
    ("/api/retouch/review/", "photo"),
    ("/api/parents/", "parent"),
    ("/api/pay/statements/", "owner"),
    ("/api/commissions/schools/", "school"),
]


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
    """A small studio: a picture day with photos, codes, a paid and an unpaid order, a
    parent, a retouch batch, an upload; the owner's token."""
    with schema_context(alpha.schema):
        shop = make_shop()
        owner = User.objects.get(email=alpha.owner_email)
        paid = place_order(shop)
        place_order(shop, paid=False, email="later@example.com")
        access_codes_issue(shoot=shop.shoot)
        parent = User.objects.create_user(email="mum-st@example.com", role=Role.PARENT)
        code = shop.shoot.access_codes.filter(student=shop.ivan).get()
        FamilyCode.objects.create(parent=parent, access_code=code)
        retoucher = User.objects.create_user(email="r-st@alpha.test", role=Role.RETOUCHER)
        batch = RetouchBatch.objects.create(shoot=shop.shoot, retoucher=retoucher)
        upload = Upload.objects.create(
            shoot=shop.shoot, file_name="x.jpg", size_bytes=10, created_by=owner
        )
        _, raw = api_token_create(user=owner, name="schemathesis")
        ids = {
            "school": shop.school.pk,
            "class": shop.class_a.pk,
            "student": shop.ivan.pk,
            "shoot": shop.shoot.pk,
            "photo": shop.photo_ivan.pk,
            "upload": str(upload.pk),
            "order": paid.pk,
            "payment": str(paid.payments.get().pk),
            "code": code.pk,
            "batch": batch.pk,
            "parent": parent.pk,
            "owner": owner.pk,
        }
    return {"token": raw, "ids": ids, "host": alpha.host, "schema": alpha.schema}


def _served_schema() -> dict:
    """What ``/api/schema/`` serves (the same generator; ``test_the_schema_is_the_served_one``
    holds them together). Made at import: schemathesis' lazy pytest loader does not run on
    pytest 9."""
    return SchemaGenerator().get_schema(request=None, public=True)


schema = schemathesis.openapi.from_dict(json.loads(json.dumps(_served_schema(), cls=_Encoder)))
schema.app = _App()


def test_the_schema_is_the_served_one(alpha):
    served = APIClient(HTTP_HOST=alpha.host).get("/api/schema/?format=json").json()

    assert served == json.loads(json.dumps(_served_schema(), cls=_Encoder))


def _real_path(case, ids) -> dict | None:
    for prefix, kind in REAL_IDS:
        if case.path.startswith(prefix) and case.path_parameters:
            return {name: ids[kind] for name in case.path_parameters}
    return None


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
    real = _real_path(case, world["ids"])
    if real is not None:
        case.path_parameters = real
        case.call_and_validate(headers=headers, checks=CHECKS)
