"""Every API operation against the wrong caller, enumerated from the schema itself: a new
operation that is not in ``WHO_MAY`` fails ``test_every_operation_is_in_the_table``, so it
cannot be forgotten. For each operation:

* every role it does not list is refused with 403 (staff roles through a bearer token of that
  role, principals and parents through a session, as they have no tokens);
* the studio's owner naming another studio's records in the path gets 404;
* another studio's token gets 401.
"""

import re

import pytest
from django_tenants.utils import schema_context
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from saas_platform.accounts.models import Role, User
from saas_platform.accounts.services import api_token_create

from .world import build_world, path_ids

OWNER, MANAGER, PHOTOGRAPHER, RETOUCHER, PRINCIPAL, PARENT = (
    Role.OWNER,
    Role.MANAGER,
    Role.PHOTOGRAPHER,
    Role.RETOUCHER,
    Role.PRINCIPAL,
    Role.PARENT,
)
PUBLIC = "public"
EVERYONE = frozenset(Role.values)
MANAGERS = frozenset({OWNER, MANAGER})
PRODUCTION = frozenset({OWNER, MANAGER, PHOTOGRAPHER, RETOUCHER})
UPLOADERS = frozenset({OWNER, MANAGER, PHOTOGRAPHER})
RETOUCH_READERS = frozenset({OWNER, MANAGER, RETOUCHER})
SCHOOL_REPORTS = frozenset({OWNER, MANAGER, PRINCIPAL})


def _crud(path: str, read, write, *, methods="GET POST GET1 PUT PATCH DELETE") -> dict:
    """A router's operations: ``GET`` list, ``POST`` create, ``GET1``/``PUT``/``PATCH``/
    ``DELETE`` on ``{id}``."""
    table = {}
    for method in methods.split():
        one = method in ("GET1", "PUT", "PATCH", "DELETE")
        verb = "GET" if method == "GET1" else method
        table[f"{verb} {path}{'{id}/' if one else ''}"] = read if verb == "GET" else write
    return table


# Who may call each operation (the roles the staff pages allow).
WHO_MAY: dict[str, frozenset | str] = {
    "GET /api/schema/": PUBLIC,
    "GET /api/me/": EVERYONE,
    **_crud("/api/schools/", PRODUCTION, MANAGERS),
    **_crud("/api/classes/", PRODUCTION, MANAGERS),
    **_crud("/api/students/", PRODUCTION, MANAGERS),
    **_crud("/api/shoots/", PRODUCTION, MANAGERS),
    "POST /api/shoots/{id}/transition/": MANAGERS,
    "GET /api/shoots/{id}/progress/": PRODUCTION,
    "POST /api/shoots/{shoot_id}/files/": UPLOADERS,
    "GET /api/shoots/{shoot_id}/access-cards/": MANAGERS,
    **_crud("/api/photos/", PRODUCTION, MANAGERS, methods="GET GET1 PUT PATCH"),
    "POST /api/photos/{id}/retry/": UPLOADERS,
    "POST /api/uploads/": UPLOADERS,
    "GET /api/uploads/{id}/": UPLOADERS,
    "PUT /api/uploads/{id}/chunk/": UPLOADERS,
    **_crud("/api/catalogue/products/", MANAGERS, MANAGERS),
    **_crud(
        "/api/catalogue/product-options/", MANAGERS, MANAGERS, methods="GET POST GET1 PUT PATCH"
    ),
    **_crud("/api/catalogue/price-sheets/", MANAGERS, MANAGERS, methods="GET POST GET1 PUT PATCH"),
    **{
        f"POST /api/catalogue/price-sheets/{{id}}/{name}/": MANAGERS
        for name in ("attach", "detach", "duplicate", "preview", "prices", "set-prices")
    },
    "GET /api/catalogue/price-sheets/{id}/sibling-discount/": MANAGERS,
    "PUT /api/catalogue/price-sheets/{id}/sibling-discount/": MANAGERS,
    **_crud("/api/catalogue/packages/", MANAGERS, MANAGERS, methods="GET POST GET1 PUT PATCH"),
    **_crud("/api/catalogue/coupons/", MANAGERS, MANAGERS, methods="GET POST GET1 PUT PATCH"),
    **_crud("/api/catalogue/quantity-tiers/", MANAGERS, MANAGERS, methods="GET POST GET1 DELETE"),
    **_crud("/api/catalogue/early-birds/", MANAGERS, MANAGERS, methods="GET POST GET1 DELETE"),
    **_crud("/api/catalogue/free-items/", MANAGERS, MANAGERS, methods="GET POST GET1 DELETE"),
    "GET /api/pay/statements/me/": frozenset({PHOTOGRAPHER, RETOUCHER}),
    "GET /api/pay/statements/{person_id}/": MANAGERS,
    "GET /api/pay/runs/": MANAGERS,
    "GET /api/commissions/schools/": SCHOOL_REPORTS,
    "GET /api/commissions/schools/{school_id}/statements/": SCHOOL_REPORTS,
    **{
        f"GET /api/reports/{name}/": frozenset({OWNER})
        for name in ("sales", "conversion", "photographers", "retouchers", "unpaid", "ledger")
    },
    "GET /api/orders/": MANAGERS,
    "GET /api/orders/{id}/": MANAGERS,
    "POST /api/orders/{id}/payments/": MANAGERS,
    "POST /api/orders/{id}/move/": MANAGERS,
    "POST /api/orders/{id}/fulfilment/": MANAGERS,
    "POST /api/orders/{id}/refund/": MANAGERS,
    "GET /api/payments/": MANAGERS,
    "GET /api/payments/{id}/": MANAGERS,
    "GET /api/access-codes/": MANAGERS,
    "GET /api/access-codes/{id}/": MANAGERS,
    "POST /api/access-codes/issue/": MANAGERS,
    "POST /api/access-codes/{id}/regenerate/": MANAGERS,
    "GET /api/retouch/queue/": RETOUCH_READERS,
    "GET /api/retouch/batches/": RETOUCH_READERS,
    "GET /api/retouch/batches/{id}/": RETOUCH_READERS,
    "POST /api/retouch/batches/claim/": frozenset({RETOUCHER}),
    "GET /api/retouch/batches/{id}/download/": frozenset({RETOUCHER}),
    "POST /api/retouch/batches/{id}/files/": frozenset({RETOUCHER}),
    "POST /api/retouch/batches/{id}/submit/": frozenset({RETOUCHER}),
    "POST /api/retouch/review/{photo_id}/": MANAGERS,
    "GET /api/parents/": MANAGERS,
    "GET /api/parents/{id}/": MANAGERS,
    **_crud("/api/campaigns/messages/", MANAGERS, MANAGERS),
    **_crud("/api/campaigns/sends/", MANAGERS, MANAGERS, methods="GET POST GET1"),
    **_crud("/api/campaigns/recipients/", MANAGERS, MANAGERS, methods="GET GET1"),
    "POST /api/campaigns/recipients/{id}/bounce/": MANAGERS,
    "GET /api/campaigns/settings/": MANAGERS,
    "PUT /api/campaigns/settings/": MANAGERS,
    "PATCH /api/campaigns/settings/": MANAGERS,
    **_crud("/api/preorders/shoots/", MANAGERS, MANAGERS, methods="GET GET1 PUT PATCH"),
    "POST /api/preorders/shoots/{id}/codes/": MANAGERS,
    **_crud("/api/preorders/codes/", MANAGERS, MANAGERS, methods="GET GET1"),
    **_crud("/api/preorders/credits/", MANAGERS, MANAGERS, methods="GET GET1"),
    "POST /api/preorders/credits/{id}/refund/": MANAGERS,
    **_crud("/api/yearbook/poses/", MANAGERS, MANAGERS, methods="GET POST"),
    **_crud("/api/yearbook/deadlines/", MANAGERS, MANAGERS, methods="GET1 PUT"),
    **_crud("/api/yearbook/exports/", MANAGERS, MANAGERS, methods="GET POST GET1"),
    "GET /api/yearbook/exports/{id}/download/": MANAGERS,
    **_crud("/api/yearbook/composites/", MANAGERS, MANAGERS, methods="GET POST GET1 PUT PATCH"),
    "POST /api/yearbook/composites/{id}/regenerate/": MANAGERS,
}


def _operations() -> list[tuple[str, str, list[str]]]:
    """(method, path, path parameters) of every operation the served schema lists."""
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return [
        (method.upper(), path, re.findall(r"{(\w+)}", path))
        for path, operations in paths.items()
        for method in operations
    ]


OPERATIONS = _operations()


def test_every_operation_is_in_the_table():
    listed = {f"{method} {path}" for method, path, _ in OPERATIONS}

    assert sorted(listed - set(WHO_MAY)) == []  # new operations: say who may call them
    assert sorted(set(WHO_MAY) - listed) == []


def _call(client, method, path, names, ids, **headers):
    url = path.format(**(path_ids(path, names, ids) or dict.fromkeys(names, 1)))
    return getattr(client, method.lower())(url, {}, format="json", **headers)


def _client(studio, role, owner) -> tuple[APIClient, dict]:
    """A caller of ``role``: a token for the roles tokens exist for, else a session."""
    client = APIClient(HTTP_HOST=studio.host)
    if role in (MANAGER, PHOTOGRAPHER, RETOUCHER):
        _, raw = api_token_create(user=owner, name=f"as {role}", role=role)
        return client, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    user = User.objects.create_user(email=f"{role}-table@alpha.test", role=role)
    client.force_login(user)
    return client, {}


@pytest.fixture
def world(alpha, media_in_tmp):
    with schema_context(alpha.schema):
        return build_world(alpha)


@pytest.mark.parametrize("role", [MANAGER, PHOTOGRAPHER, RETOUCHER, PRINCIPAL, PARENT])
def test_every_role_is_refused_what_it_may_not_do(alpha, world, role):
    with schema_context(alpha.schema):
        client, headers = _client(alpha, role, world["owner"])
    wrong = []

    for method, path, names in OPERATIONS:
        allowed = WHO_MAY[f"{method} {path}"]
        if allowed == PUBLIC or role in allowed:
            continue
        status = _call(client, method, path, names, world["ids"], **headers).status_code
        if status != 403:
            wrong.append((method, path, status))

    assert not wrong, wrong


def test_another_studios_ids_are_not_found(alpha, beta, media_in_tmp):
    with schema_context(alpha.schema):
        world = build_world(alpha)
    with schema_context(beta.schema):
        foreign = build_world(beta, push_ids=True)["ids"]
    with schema_context(alpha.schema):
        tokens = {OWNER: world["token"]} | {
            role: api_token_create(user=world["owner"], name=role, role=role)[1]
            for role in (MANAGER, PHOTOGRAPHER, RETOUCHER)
        }
    client = APIClient(HTTP_HOST=alpha.host)
    wrong = []

    for method, path, names in OPERATIONS:
        if not names or path_ids(path, names, foreign) is None:
            continue
        allowed = WHO_MAY[f"{method} {path}"]
        caller = next(role for role in (OWNER, MANAGER, RETOUCHER, PHOTOGRAPHER) if role in allowed)
        status = _call(
            client, method, path, names, foreign, HTTP_AUTHORIZATION=f"Bearer {tokens[caller]}"
        ).status_code
        if status != 404:
            wrong.append((method, path, status))

    assert not wrong, wrong


def test_another_studios_token_is_refused_everywhere(alpha, beta, media_in_tmp):
    with schema_context(alpha.schema):
        world = build_world(alpha)
    with schema_context(beta.schema):
        beta_owner = User.objects.get(email=beta.owner_email)
        _, beta_token = api_token_create(user=beta_owner, name="beta's")
    client = APIClient(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=f"Bearer {beta_token}")
    wrong = []

    for method, path, names in OPERATIONS:
        if WHO_MAY[f"{method} {path}"] == PUBLIC:
            continue
        status = _call(client, method, path, names, world["ids"]).status_code
        if status != 401:
            wrong.append((method, path, status))

    assert not wrong, wrong
