"""Fixtures of the ledger tests."""

from decimal import Decimal

import pytest
from django.db import connection

from billing.models import Plan, PlanKind
from tenants.models import Studio


@pytest.fixture
def revenue_share(in_alpha):
    """Alpha on a plan that takes 8 % of sales."""
    studio = Studio.objects.get(schema_name=in_alpha.schema)
    plan = Plan.objects.create(
        code="share-8",
        name="Share 8",
        kind=PlanKind.REVENUE_SHARE,
        revenue_share_percent=Decimal("8"),
        is_public=False,
    )
    previous = studio.plan_id
    Studio.objects.filter(pk=studio.pk).update(plan=plan)
    connection.tenant = Studio.objects.get(pk=studio.pk)
    yield plan
    Studio.objects.filter(pk=studio.pk).update(plan_id=previous)
