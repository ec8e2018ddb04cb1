"""Yearbook poses: the automatic default, the studio's choice, the parent's choice until the
deadline and locked after it, and who chose what when."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.models import Shoot
from studio.shoots.services import shoot_create
from studio.yearbook.models import Pose, PoseChoice, PoseSource
from studio.yearbook.selectors import pose_photo, shoot_poses
from studio.yearbook.services import pose_choose, pose_choose_by_parent, pose_deadline_set
from tests.conftest import logged_in_client, push_id_sequences
from tests.studio.yearbook.conftest import parent


def test_the_default_pose_is_the_first_ready_portrait_of_the_child_alone(yb):
    photos = yb["photos"]
    with schema_context(yb["studio"].schema):
        # anna1 now shows Boris too: no longer a portrait of Anna alone, nor of Boris.
        photos["anna1"].students.add(yb["boris"])

        assert pose_photo(shoot=yb["shoot"], student=yb["anna"]) == photos["anna2"]
        assert pose_photo(shoot=yb["shoot"], student=yb["boris"]) == photos["boris"]
        photos["boris"].students.add(yb["anna"])
        assert pose_photo(shoot=yb["shoot"], student=yb["boris"]) is None
        classes = shoot_poses(shoot=yb["shoot"])
        children = {c.student.first_name: c for c in classes[0].children}
        assert [p.pk for p in children["Anna"].candidates] == [photos["anna2"].pk]
        assert children["Anna"].chosen_id == photos["anna2"].pk
        assert children["Anna"].source == ""
        assert children["Boris"].candidates == [] and children["Boris"].chosen_id is None


def test_staff_choose_a_pose_and_it_is_audited(yb):
    photos = yb["photos"]
    response = yb["staff"].post(
        f"/staff/yearbook/{yb['shoot'].pk}/choose/",
        {"student": yb["anna"].pk, "photo": photos["anna2"].pk},
    )

    assert response.status_code == 302
    with schema_context(yb["studio"].schema):
        assert pose_photo(shoot=yb["shoot"], student=yb["anna"]) == photos["anna2"]
        pose = Pose.objects.get()
        assert (pose.source, pose.chosen_by) == (PoseSource.STAFF, yb["manager"])
        choice = PoseChoice.objects.get()
        assert (choice.student, choice.photo, choice.photo_name) == (
            yb["anna"],
            photos["anna2"],
            "anna2.jpg",
        )
        assert (choice.actor, choice.actor_label, choice.source) == (
            yb["manager"],
            "manager-yb@alpha.test",
            PoseSource.STAFF,
        )
    page = yb["staff"].get(f"/staff/yearbook/{yb['shoot'].pk}/").content.decode()
    assert "chosen by the studio" in page and "anna2.jpg" in page


def test_staff_cannot_choose_another_childs_photo(yb):
    with schema_context(yb["studio"].schema), pytest.raises(ValidationError) as refused:
        pose_choose(
            actor=yb["manager"],
            shoot=yb["shoot"],
            student=yb["anna"],
            photo=yb["photos"]["boris"],
        )
    assert refused.value.code == "not_a_portrait"
    with schema_context(yb["studio"].schema), pytest.raises(ValidationError):
        pose_choose(
            actor=yb["manager"], shoot=yb["shoot"], student=yb["anna"], photo=yb["photos"]["group"]
        )
    with schema_context(yb["studio"].schema):
        assert not Pose.objects.exists() and not PoseChoice.objects.exists()


def test_a_parent_chooses_another_pose_until_the_deadline(yb):
    photos = yb["photos"]
    with schema_context(yb["studio"].schema):
        pose_deadline_set(
            actor=yb["manager"], shoot=yb["shoot"], deadline=timezone.now() + timedelta(days=2)
        )
    client = parent(yb, "Anna")
    page = client.get(f"/gallery/{photos['anna2'].pk}/?child={yb['anna'].pk}").content.decode()
    assert "Use for the yearbook" in page and "You can change it until" in page
    page = client.get(f"/gallery/{photos['anna1'].pk}/?child={yb['anna'].pk}").content.decode()
    assert "This is the yearbook photo." in page  # the default

    response = client.post(f"/gallery/{photos['anna2'].pk}/yearbook/", {"child": yb["anna"].pk})

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "This is the yearbook photo." in page
    with schema_context(yb["studio"].schema):
        assert pose_photo(shoot=yb["shoot"], student=yb["anna"]) == photos["anna2"]
        choice = PoseChoice.objects.get()
        assert choice.source == PoseSource.PARENT and choice.actor is None
        assert choice.actor_label.startswith("access code #")


def test_after_the_deadline_the_parents_choice_is_locked_and_shown(yb):
    photos = yb["photos"]
    with schema_context(yb["studio"].schema):
        pose_choose_by_parent(shoot=yb["shoot"], student=yb["anna"], photo=photos["anna2"])
        pose_deadline_set(
            actor=yb["manager"], shoot=yb["shoot"], deadline=timezone.now() - timedelta(minutes=1)
        )
    client = parent(yb, "Anna")

    response = client.post(f"/gallery/{photos['anna1'].pk}/yearbook/", {"child": yb["anna"].pk})

    page = client.get(response["Location"]).content.decode()
    assert "the deadline has passed" in page
    assert "Use for the yearbook" not in page
    assert "The yearbook photo is anna2.jpg." in page
    with schema_context(yb["studio"].schema):
        assert pose_photo(shoot=yb["shoot"], student=yb["anna"]) == photos["anna2"]
        assert PoseChoice.objects.count() == 1
        with pytest.raises(ValidationError) as refused:
            pose_choose_by_parent(shoot=yb["shoot"], student=yb["anna"], photo=photos["anna1"])
        assert refused.value.code == "locked"
        # The studio still may.
        pose_choose(
            actor=yb["manager"], shoot=yb["shoot"], student=yb["anna"], photo=photos["anna1"]
        )
        assert pose_photo(shoot=yb["shoot"], student=yb["anna"]) == photos["anna1"]


def test_a_parent_cannot_choose_another_childs_photo(yb):
    photos = yb["photos"]
    client = parent(yb, "Anna")

    as_anna = client.post(f"/gallery/{photos['boris'].pk}/yearbook/", {"child": yb["anna"].pk})
    as_boris = client.post(f"/gallery/{photos['boris'].pk}/yearbook/", {"child": yb["boris"].pk})
    group = client.post(f"/gallery/{photos['group'].pk}/yearbook/", {"child": yb["anna"].pk})

    assert (as_anna.status_code, as_boris.status_code) == (404, 404)
    assert group.status_code == 302  # a class photo the parent sees, but not a portrait
    assert "Only a ready portrait" in client.get(group["Location"]).content.decode()
    with schema_context(yb["studio"].schema):
        assert not Pose.objects.exists()
        with pytest.raises(ValidationError):
            pose_choose_by_parent(shoot=yb["shoot"], student=yb["anna"], photo=photos["boris"])
    # No code at all.
    nobody = parent(yb)
    response = nobody.post(f"/gallery/{photos['anna1'].pk}/yearbook/", {"child": yb["anna"].pk})
    assert response.status_code == 404


def test_lower_roles_get_no_poses_page(yb):
    shoot = yb["shoot"]
    with schema_context(yb["studio"].schema):
        retoucher = User.objects.create_user(
            email="ret-yb@alpha.test", password="pw-123456", role=Role.RETOUCHER
        )
        principal = User.objects.create_user(
            email="pr-yb@alpha.test", password="pw-123456", role=Role.PRINCIPAL
        )
    for user in (yb["photographer"], retoucher, principal):
        client = logged_in_client(yb["studio"], user)
        assert client.get(f"/staff/yearbook/{shoot.pk}/").status_code == 403
        response = client.post(
            f"/staff/yearbook/{shoot.pk}/choose/",
            {"student": yb["anna"].pk, "photo": yb["photos"]["anna2"].pk},
        )
        assert response.status_code == 403
        assert client.post(f"/staff/yearbook/{shoot.pk}/deadline/", {}).status_code == 403
    with schema_context(yb["studio"].schema):
        assert not Pose.objects.exists()


def test_another_studios_ids_are_not_found(yb, beta):
    with schema_context(beta.schema):
        push_id_sequences([School, SchoolClass, Student, Shoot], start=2_000_000)
        owner = User.objects.get(email=beta.owner_email)
        school = School.objects.create(name="Beta school")
        shoot_create(school=school, name="Beta day", date="2026-10-02")
    client = logged_in_client(beta, owner)

    assert client.get(f"/staff/yearbook/{yb['shoot'].pk}/").status_code == 404
    response = client.post(
        f"/staff/yearbook/{yb['shoot'].pk}/choose/",
        {"student": yb["anna"].pk, "photo": yb["photos"]["anna2"].pk},
    )
    assert response.status_code == 404
    # And alpha's manager cannot reach a student of beta through alpha's picture day.
    with schema_context(beta.schema):
        beta_class = SchoolClass.objects.create(school=school, name="1A", school_year="2026-2027")
        beta_kid = Student.objects.create(school_class=beta_class, first_name="B", last_name="B")
    response = yb["staff"].post(
        f"/staff/yearbook/{yb['shoot'].pk}/choose/",
        {"student": beta_kid.pk, "photo": yb["photos"]["anna2"].pk},
    )
    assert response.status_code == 404
    with schema_context(yb["studio"].schema):
        assert not Pose.objects.exists()


def test_a_chosen_photo_no_longer_of_the_child_falls_back_to_the_default(yb):
    photos = yb["photos"]
    with schema_context(yb["studio"].schema):
        pose_choose(
            actor=yb["manager"], shoot=yb["shoot"], student=yb["anna"], photo=photos["anna2"]
        )
        photos["anna2"].students.remove(yb["anna"])

        assert pose_photo(shoot=yb["shoot"], student=yb["anna"]) == photos["anna1"]
        [group] = shoot_poses(shoot=yb["shoot"])
        anna = next(c for c in group.children if c.student.pk == yb["anna"].pk)
        assert (anna.chosen_id, anna.source) == (photos["anna1"].pk, "")
