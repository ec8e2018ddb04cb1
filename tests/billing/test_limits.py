"""The plan's limits stop creation in the services, with a way to upgrade."""

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import get_public_schema_name, schema_context

from billing.models import Plan
from studio.schools.models import School
from studio.schools.services import school_create

from .conftest import owner_client, studio_of


def on_plan(fixture, **limits):
    with schema_context(get_public_schema_name()):
        plan = Plan.objects.create(code="tiny", name="Tiny", kind="monthly", **limits)
        studio = studio_of(fixture)
        studio.plan = plan
        studio.save()
    return plan


def test_schools_beyond_the_plan_are_refused(alpha):
    on_plan(alpha, max_schools=2)
    with schema_context(alpha.schema):
        school_create(name="One")
        school_create(name="Two")
        with pytest.raises(ValidationError) as refused:
            school_create(name="Three")
        assert refused.value.code == "plan_limit_schools"
        assert "/staff/billing/" in refused.value.messages[0]
        assert School.objects.count() == 2
    page = owner_client(alpha).post(
        "/staff/schools/new/", {"name": "Three", "commission_percent": "0"}
    )
    assert page.status_code == 200
    assert "Your plan allows 2 schools" in page.content.decode()


def test_no_plan_or_no_limit_means_no_limit(alpha):
    with schema_context(alpha.schema):
        for n in range(3):
            school_create(name=f"Free {n}")
    on_plan(alpha, max_schools=None)
    with schema_context(alpha.schema):
        school_create(name="Still free")


def test_uploads_beyond_the_storage_are_refused(alpha, media_in_tmp):
    from saas_platform.accounts.models import Role, User
    from studio.photos.services.uploads import upload_start
    from studio.shoots.services import shoot_create

    with schema_context(alpha.schema):
        school = School.objects.create(name="Upload school")
        shoot = shoot_create(school=school, name="Upload day", date="2026-10-01")
        user = User.objects.create_user(
            email="ph-limit@alpha.test", password="pw-123456", role=Role.PHOTOGRAPHER
        )
        assert upload_start(shoot=shoot, file_name="a.jpg", size_bytes=1000, user=user)
    on_plan(alpha, max_storage_gb=0)
    with schema_context(alpha.schema), pytest.raises(ValidationError) as refused:
        upload_start(shoot=shoot, file_name="b.jpg", size_bytes=1000, user=user)
    assert refused.value.code == "plan_limit_storage"


def test_photos_beyond_the_season_allowance_are_refused(alpha, media_in_tmp):
    from saas_platform.accounts.models import Role, User
    from studio.photos.models import Photo
    from studio.photos.services.uploads import upload_start
    from studio.shoots.services import shoot_create

    with schema_context(alpha.schema):
        school = School.objects.create(name="Season school")
        shoot = shoot_create(school=school, name="Season day", date="2026-10-01")
        user = User.objects.create_user(
            email="ph-season@alpha.test", password="pw-123456", role=Role.PHOTOGRAPHER
        )
        Photo.objects.create(
            shoot=shoot,
            original="originals/season-1.jpg",
            original_name="season-1.jpg",
            content_hash="f" * 64,
            size_bytes=10,
            photographer=user,
        )
    on_plan(alpha, max_photos_per_season=1)
    with schema_context(alpha.schema), pytest.raises(ValidationError) as refused:
        upload_start(shoot=shoot, file_name="two.jpg", size_bytes=1000, user=user)
    assert refused.value.code == "plan_limit_photos"
    assert "/staff/billing/" in refused.value.messages[0]
    page = owner_client(alpha).get("/staff/billing/").content.decode()
    assert "Photos this season" in page
