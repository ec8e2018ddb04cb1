"""Access codes over the API: the codes page's list, issue, regenerate and cards."""

from saas_platform.accounts.models import Role, User
from studio.access.models import AccessCode, AccessCodeKind
from tests.studio.access.conftest import make_picture_day

from .conftest import api_client, user_with


def test_issue_list_and_regenerate(alpha, in_alpha):
    day = make_picture_day()
    client = api_client(alpha, user_with(Role.MANAGER))

    issued = client.post("/api/access-codes/issue/", {"shoot": day.shoot.pk}, format="json")
    again = client.post("/api/access-codes/issue/", {"shoot": day.shoot.pk}, format="json")
    students = client.get(f"/api/access-codes/?shoot={day.shoot.pk}&kind=student").json()
    ivan = AccessCode.objects.get(student=day.ivan)
    new = client.post(f"/api/access-codes/{ivan.pk}/regenerate/")
    old_again = client.post(f"/api/access-codes/{ivan.pk}/regenerate/")
    live = client.get(f"/api/access-codes/?student={day.ivan.pk}&live=true").json()

    assert issued.json() == {"classes": 2, "students": 4}
    assert again.json() == {"classes": 0, "students": 0}
    assert students["count"] == 4
    assert new.status_code == 201
    assert new.json()["code"] != ivan.code
    assert old_again.status_code == 409
    assert [c["id"] for c in live["results"]] == [new.json()["id"]]
    ivan.refresh_from_db()
    assert ivan.replaced_by_id == new.json()["id"]


def test_issue_for_an_unknown_picture_day_is_400(alpha, in_alpha):
    client = api_client(alpha, user_with(Role.MANAGER))

    response = client.post("/api/access-codes/issue/", {"shoot": 999999}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["shoot"]


def test_cards_are_a_pdf(alpha, in_alpha):
    day = make_picture_day()
    client = api_client(alpha, User.objects.get(email=alpha.owner_email))
    client.post("/api/access-codes/issue/", {"shoot": day.shoot.pk}, format="json")

    cards = client.get(f"/api/shoots/{day.shoot.pk}/access-cards/", HTTP_ACCEPT="application/pdf")
    classes = client.get(f"/api/shoots/{day.shoot.pk}/access-cards/?kind=class")
    wrong = client.get(f"/api/shoots/{day.shoot.pk}/access-cards/?kind=parent")

    assert cards.status_code == 200
    assert cards["Content-Type"] == "application/pdf"
    assert cards.content.startswith(b"%PDF")
    assert f"access-cards-{day.shoot.pk}.pdf" in cards["Content-Disposition"]
    assert classes.content.startswith(b"%PDF")
    assert f"class-codes-{day.shoot.pk}.pdf" in classes["Content-Disposition"]
    assert wrong.status_code == 400
    assert wrong.json() == {"kind": ["Choose student or class."]}


def test_photographers_may_not_touch_codes(alpha, in_alpha):
    day = make_picture_day()
    client = api_client(alpha, user_with(Role.PHOTOGRAPHER))

    assert client.get("/api/access-codes/").status_code == 403
    assert client.post("/api/access-codes/issue/", {"shoot": day.shoot.pk}).status_code == 403
    assert client.get(f"/api/shoots/{day.shoot.pk}/access-cards/").status_code == 403
    assert not AccessCode.objects.filter(kind=AccessCodeKind.STUDENT).exists()
