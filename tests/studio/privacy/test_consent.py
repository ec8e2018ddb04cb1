"""Consent to publish: versioned texts, decisions with who/when/which version, and a
withdrawal that hides the child from the next request on, class photos included."""

from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.audit.models import AuditEntry, AuditKind
from studio.privacy.models import ConsentRecord, ConsentText
from studio.privacy.services import consent_text_publish
from studio.schools.models import Student
from tests.conftest import host_client, logged_in_client
from tests.studio.storefront.test_gallery import shown_ids

from .conftest import sign_in, staff


def _owner(studio):
    with schema_context(studio.schema):
        return User.objects.get(email=studio.owner_email)


def test_the_owner_publishes_versions_managers_read_them_others_may_not(published):
    studio = published["studio"]
    owner_client = logged_in_client(studio, _owner(studio))
    assert owner_client.post("/staff/privacy/consent-text/", {"body": "  "}).status_code == 200
    for body in ("We may show your child's photos to your family.", "Version two."):
        assert owner_client.post("/staff/privacy/consent-text/", {"body": body}).status_code == 302
    with schema_context(studio.schema):
        assert list(ConsentText.objects.values_list("version", "body")) == [
            (2, "Version two."),
            (1, "We may show your child's photos to your family."),
        ]
        manager, photographer = staff(Role.MANAGER), staff(Role.PHOTOGRAPHER)
        assert AuditEntry.objects.filter(kind=AuditKind.CONSENT_TEXT_PUBLISHED).count() == 2
    manager_client = logged_in_client(studio, manager)
    page = manager_client.get("/staff/privacy/consent-text/").content.decode()
    assert "Version two." in page and "consent-text-form" not in page
    assert manager_client.post("/staff/privacy/consent-text/", {"body": "x"}).status_code == 403
    photographer_client = logged_in_client(studio, photographer)
    assert photographer_client.get("/staff/privacy/consent-text/").status_code == 403


def test_staff_record_consent_and_see_it_on_the_roster(published):
    studio = published["studio"]
    with schema_context(studio.schema):
        owner = _owner(studio)
        consent_text_publish(actor=owner, body="Text one.")
        anna = Student.objects.get(first_name="Anna")
        manager = staff(Role.MANAGER)
    client = logged_in_client(studio, manager)
    url = f"/staff/privacy/children/{anna.pk}/"
    response = client.post(url, {"decision": "given", "note": "Paper form, 3 September"})
    assert response.status_code == 302
    with schema_context(studio.schema):
        record = ConsentRecord.objects.get(student=anna)
        assert (record.decision, record.source, record.text.version) == ("given", "staff", 1)
        assert record.recorded_by == manager and record.recorded_by_email == manager.email
        assert record.note == "Paper form, 3 September" and record.at is not None
        assert Student.objects.get(pk=anna.pk).publish_consent == "given"
        assert AuditEntry.objects.filter(kind=AuditKind.CONSENT_RECORDED, actor=manager).exists()
        school_class = anna.school_class
    page = client.get(url).content.decode()
    assert "Paper form, 3 September" in page and manager.email in page and "version 1" in page
    roster = client.get(
        f"/staff/schools/{school_class.school_id}/classes/{school_class.pk}/"
    ).content.decode()
    assert 'class="consent-given"' in roster and 'class="consent-none"' in roster


def test_without_a_published_text_nothing_is_recorded(published):
    studio = published["studio"]
    with schema_context(studio.schema):
        anna = Student.objects.get(first_name="Anna")
    client = logged_in_client(studio, _owner(studio))
    page = client.post(f"/staff/privacy/children/{anna.pk}/", {"decision": "given"}, follow=True)
    assert "has not published a consent text" in page.content.decode()
    with schema_context(studio.schema):
        assert not ConsentRecord.objects.exists()


def test_a_parent_withdraws_and_the_child_is_gone_from_the_next_page_then_gives_it_back(
    published, django_capture_on_commit_callbacks
):
    studio = published["studio"]
    photos = published["photos"]
    with schema_context(studio.schema):
        consent_text_publish(actor=_owner(studio), body="We show photos to families.")
        anna = Student.objects.get(first_name="Anna")
        photos["group"].students.add(anna)  # the class photo shows her too
    parent = host_client(studio.host)
    parent.post("/access/", {"code": published["codes"]["Anna"]})
    sign_in(parent, "maria@example.com")
    seen = shown_ids(parent.get("/gallery/").content.decode())  # cached now
    assert seen == {photos["anna1"].pk, photos["anna2"].pk, photos["group"].pk}
    account = parent.get("/account/").content.decode()
    assert "We show photos to families." in account and "consent not recorded" in account

    with django_capture_on_commit_callbacks(execute=True):
        response = parent.post("/account/consent/", {"child": anna.pk, "decision": "withdrawn"})
    assert response.status_code == 302

    # the next request: her section, her photos and the class photo she is on are gone
    assert parent.get("/gallery/").status_code == 302  # nothing left to show
    for photo in ("anna1", "anna2", "group"):
        assert parent.get(f"/gallery/{photos[photo].pk}/?child={anna.pk}").status_code == 404
    class_parent = host_client(studio.host)
    class_parent.post("/access/", {"code": published["codes"]["class"]})
    assert shown_ids(class_parent.get("/gallery/").content.decode()) == set()
    with schema_context(studio.schema):
        record = ConsentRecord.objects.get()
        assert (record.decision, record.source, record.text.version) == ("withdrawn", "parent", 1)
        assert record.recorded_by_email == "maria@example.com"
    assert "consent withdrawn" in parent.get("/account/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        parent.post("/account/consent/", {"child": anna.pk, "decision": "given"})
    assert shown_ids(parent.get("/gallery/").content.decode()) == seen
    with schema_context(studio.schema):
        assert ConsentRecord.objects.count() == 2


def test_a_parent_decides_only_for_children_whose_code_they_hold(published, beta):
    studio = published["studio"]
    with schema_context(studio.schema):
        consent_text_publish(actor=_owner(studio), body="Text.")
        boris = Student.objects.get(first_name="Boris")
        anna = Student.objects.get(first_name="Anna")
    parent = host_client(studio.host)
    parent.post("/access/", {"code": published["codes"]["Anna"]})
    sign_in(parent, "maria@example.com")
    # another child of the studio, a child id that does not exist, garbage
    for child in (boris.pk, 999999, "x"):
        assert (
            parent.post("/account/consent/", {"child": child, "decision": "withdrawn"}).status_code
            == 404
        )
    assert (
        parent.post("/account/consent/", {"child": anna.pk, "decision": "maybe"}).status_code == 404
    )
    # a code opened in the browser but not signed in: not enough
    visitor = host_client(studio.host)
    visitor.post("/access/", {"code": published["codes"]["Anna"]})
    response = visitor.post("/account/consent/", {"child": anna.pk, "decision": "withdrawn"})
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
    # staff sessions are not a parent's
    staff_client = logged_in_client(studio, _owner(studio))
    response = staff_client.post("/account/consent/", {"child": anna.pk, "decision": "withdrawn"})
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
    # a parent of beta, with alpha's child id, on beta's host: no such child there
    with schema_context(beta.schema):
        beta_parent = User.objects.create_user(email="maria@example.com", role=Role.PARENT)
    beta_client = logged_in_client(beta, beta_parent)
    assert (
        beta_client.post(
            "/account/consent/", {"child": anna.pk, "decision": "withdrawn"}
        ).status_code
        == 404
    )
    # and a parent may not use the staff pages
    parent_page = parent.post(f"/staff/privacy/children/{anna.pk}/", {"decision": "withdrawn"})
    assert parent_page.status_code in (302, 403)
    with schema_context(studio.schema):
        assert not ConsentRecord.objects.exists()
        assert Student.objects.get(pk=anna.pk).publish_consent == ""


def test_the_staff_consent_pages_refuse_other_roles_and_other_studios_ids(published, beta):
    studio = published["studio"]
    with schema_context(studio.schema):
        consent_text_publish(actor=_owner(studio), body="Text.")
        anna = Student.objects.get(first_name="Anna")
        people = [staff(role) for role in (Role.PHOTOGRAPHER, Role.RETOUCHER, Role.PRINCIPAL)]
        people.append(User.objects.create_user(email="mum@example.com", role=Role.PARENT))
    child_url = f"/staff/privacy/children/{anna.pk}/"
    for user in people:
        client = logged_in_client(studio, user)
        for url in (child_url, "/staff/privacy/consent-text/"):
            assert client.get(url).status_code in (302, 403), (user.role, url)
        response = client.post(child_url, {"decision": "withdrawn"})
        assert response.status_code in (302, 403), user.role
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"]
    anonymous = host_client(studio.host).post(child_url, {"decision": "withdrawn"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    # beta's owner with alpha's child id: no such child in beta
    with schema_context(beta.schema):
        beta_owner = User.objects.get(email=beta.owner_email)
        consent_text_publish(actor=beta_owner, body="Text of beta.")
        assert not Student.objects.filter(pk=anna.pk).exists()
    beta_client = logged_in_client(beta, beta_owner)
    assert beta_client.get(child_url).status_code == 404
    assert beta_client.post(child_url, {"decision": "withdrawn"}).status_code == 404
    # and beta's consent texts are beta's own
    assert "Text of beta." in beta_client.get("/staff/privacy/consent-text/").content.decode()
    assert "Text of beta." not in (
        logged_in_client(studio, _owner(studio))
        .get("/staff/privacy/consent-text/")
        .content.decode()
    )
    with schema_context(studio.schema):
        assert not ConsentRecord.objects.exists()
        assert Student.objects.get(pk=anna.pk).publish_consent == ""


def test_a_family_holding_only_a_revoked_code_may_no_longer_decide(published):
    from studio.access.models import AccessCode
    from studio.access.services import access_code_regenerate

    studio = published["studio"]
    with schema_context(studio.schema):
        consent_text_publish(actor=_owner(studio), body="Text.")
        anna = Student.objects.get(first_name="Anna")
    parent = host_client(studio.host)
    parent.post("/access/", {"code": published["codes"]["Anna"]})
    sign_in(parent, "maria@example.com")
    assert 'name="decision" value="withdrawn"' in parent.get("/account/").content.decode()
    with schema_context(studio.schema):
        access_code_regenerate(code=AccessCode.objects.get(student=anna))
    page = parent.get("/account/").content.decode()
    assert "Anna K" in page and 'name="decision"' not in page
    response = parent.post("/account/consent/", {"child": anna.pk, "decision": "withdrawn"})
    assert response.status_code == 404
