"""Version counters: per studio, bumped only when the transaction commits."""

import pytest
from django.core.cache import cache
from django.db import transaction
from django_tenants.utils import schema_context

from saas_platform.versions import version_get, versions_bump, versions_get


def test_a_bump_moves_only_that_studios_counter(alpha, beta, django_capture_on_commit_callbacks):
    with schema_context(alpha.schema):
        before = versions_get("gallery", "withdrawn")
    with schema_context(beta.schema):
        beta_before = version_get("gallery")
    with schema_context(alpha.schema):
        with django_capture_on_commit_callbacks(execute=True):
            versions_bump("gallery")
        after = versions_get("gallery", "withdrawn")
    assert after["gallery"] > before["gallery"]
    assert after["withdrawn"] == before["withdrawn"]
    with schema_context(beta.schema):
        assert version_get("gallery") == beta_before


def test_a_bump_waits_for_the_commit_and_is_dropped_on_rollback(live_studios, committed):
    # Real commits, through ``committed`` (not ``django_db(transaction=True)``, whose flush at
    # the end would empty the public tables: every later test's studios with them).
    with committed(), schema_context(live_studios["alpha"].schema):
        start = version_get("gallery")
        with transaction.atomic():
            versions_bump("gallery")
            assert version_get("gallery") == start  # readers still see the old state
        assert version_get("gallery") == start + 1
        with pytest.raises(RuntimeError), transaction.atomic():
            versions_bump("gallery")
            raise RuntimeError
        assert version_get("gallery") == start + 1


def test_a_counter_the_cache_lost_restarts_past_every_earlier_value(
    alpha, django_capture_on_commit_callbacks
):
    with schema_context(alpha.schema):
        with django_capture_on_commit_callbacks(execute=True):
            versions_bump("gallery")
        seen = version_get("gallery")
        cache.delete("version:gallery")
        assert version_get("gallery") > seen
