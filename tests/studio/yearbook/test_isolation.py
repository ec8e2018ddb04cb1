"""Every yearbook page and task against another studio's ids and lower roles' sessions."""

import pytest
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.models import Shoot
from studio.yearbook.composite import composite_build
from studio.yearbook.models import Composite, Pose, YearbookExport, YearbookSettings
from studio.yearbook.pspa import yearbook_export_build
from tests.conftest import logged_in_client, push_id_sequences


def _urls(yb, export_id=1, class_id=None):
    shoot = yb["shoot"].pk
    class_id = class_id or yb["anna"].school_class_id
    return [
        ("get", f"/staff/yearbook/{shoot}/", {}),
        ("post", f"/staff/yearbook/{shoot}/choose/", {"student": yb["anna"].pk, "photo": yb["photos"]["anna2"].pk}),
        ("post", f"/staff/yearbook/{shoot}/deadline/", {"pose_deadline": "2026-12-01T10:00"}),
        ("post", f"/staff/yearbook/{shoot}/export/", {}),
        ("get", f"/staff/yearbook/{shoot}/export/{export_id}/download/", {}),
        ("get", f"/staff/yearbook/{shoot}/composites/{class_id}/", {}),
        ("post", f"/staff/yearbook/{shoot}/composites/{class_id}/", {"title": "x", "order": ""}),
        ("get", f"/staff/yearbook/{shoot}/composites/{class_id}/preview.jpg", {}),
        ("get", f"/staff/yearbook/schools/{yb['shoot'].school_id}/", {}),
        ("post", f"/staff/yearbook/schools/{yb['shoot'].school_id}/", {}),
        ("get", f"/staff/yearbook/schools/{yb['shoot'].school_id}/export/{export_id}/download/", {}),
    ]  # fmt: skip


def _nothing_changed(yb):
    with schema_context(yb["studio"].schema):
        assert not Pose.objects.exists()
        assert not YearbookSettings.objects.exists()
        assert not YearbookExport.objects.exists()
        assert not Composite.objects.exists()


@pytest.mark.parametrize("role", [Role.PHOTOGRAPHER, Role.RETOUCHER, Role.PRINCIPAL, Role.PARENT])
def test_lower_roles_are_refused_everywhere(yb, role, django_capture_on_commit_callbacks):
    with schema_context(yb["studio"].schema):
        user = User.objects.create_user(
            email=f"{role}-iso@alpha.test", password="pw-123456", role=role
        )
    client = logged_in_client(yb["studio"], user)
    for method, url, data in _urls(yb):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            response = getattr(client, method)(url, data)
        assert response.status_code == 403, (role, url)
        assert queued == []
    _nothing_changed(yb)


def test_another_studios_owner_finds_nothing(yb, beta, django_capture_on_commit_callbacks):
    with schema_context(beta.schema):
        push_id_sequences([School, SchoolClass, Student, Shoot], start=5_000_000)
        owner = User.objects.get(email=beta.owner_email)
        School.objects.create(name="Beta's own")
    client = logged_in_client(beta, owner)
    for method, url, data in _urls(yb):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            response = getattr(client, method)(url, data)
        assert response.status_code == 404, url
        assert queued == []
    _nothing_changed(yb)
    with schema_context(beta.schema):
        assert not YearbookSettings.objects.exists() and not Composite.objects.exists()


def test_a_task_runs_only_on_its_own_studios_rows(yb, beta):
    with schema_context(yb["studio"].schema):
        export = YearbookExport.objects.create(
            school=yb["shoot"].school, shoot=yb["shoot"], created_by=yb["manager"]
        )
        composite = Composite.objects.create(
            shoot=yb["shoot"], school_class_id=yb["anna"].school_class_id, updated_by=yb["manager"]
        )
    with schema_context(beta.schema):
        push_id_sequences([YearbookExport, Composite], start=6_000_000)
        with pytest.raises(YearbookExport.DoesNotExist):
            yearbook_export_build(export_id=export.pk)
        with pytest.raises(Composite.DoesNotExist):
            composite_build(composite_id=composite.pk)
