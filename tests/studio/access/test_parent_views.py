"""Parents: entering codes, rate limits, "find my code"."""

import re

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from saas_platform import ratelimit
from studio.access import codes
from studio.access.models import AccessCode, AccessCodeKind
from studio.access.selectors import SESSION_KEY
from studio.access.services import access_code_regenerate, access_codes_issue
from studio.shoots.models import ShootStatus
from tenants.models import StudioStatus
from tenants.selectors import studio_url
from tests.conftest import host_client

from .conftest import NOW, make_picture_day

GENERIC = "This code does not open any gallery."
FORMAT = "An access code has 12 letters and digits"
NEUTRAL = "If the name matches our roster, we’ve sent the code to the parent e-mail on file."


def code_of(day, student) -> AccessCode:
    return AccessCode.objects.get(shoot=day.shoot, student=student, revoked_at=None)


def class_code_of(day, school_class) -> AccessCode:
    return AccessCode.objects.get(
        shoot=day.shoot, school_class=school_class, kind=AccessCodeKind.CLASS, revoked_at=None
    )


@pytest.fixture
def issued(day):
    access_codes_issue(shoot=day.shoot, now=NOW)
    return day


@pytest.fixture
def client(alpha):
    return host_client(alpha.host)


def enter(client, code: str, ip: str = "203.0.113.1"):
    return client.post("/access/", {"code": code}, REMOTE_ADDR=ip)


def errors(response) -> str:
    return "".join(re.findall(r'<ul class="errorlist".*?</ul>', response.content.decode(), re.S))


def unknown_code(i: int) -> str:
    return codes.display(f"ZZZZ{i:08d}")


# --- entering a code ------------------------------------------------------------------------


def test_the_cards_link_opens_the_gallery_at_once(issued, client):
    ivan = code_of(issued, issued.ivan)

    response = client.get(f"/?code={ivan.code.lower()}", REMOTE_ADDR="203.0.113.1")

    assert (response.status_code, response["Location"]) == (302, "/gallery/")
    assert client.session[SESSION_KEY] == [ivan.pk]


def test_a_card_link_with_a_code_that_opens_nothing_shows_it_filled_in_with_the_reason(
    issued, client
):
    response = client.get("/?code=7kq2m9xd4htp")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="7KQ2-M9XD-4HTP"' in page
    assert GENERIC in errors(response)
    assert 'autocapitalize="characters"' in page
    assert 'inputmode="text"' in page
    assert 'placeholder="XXXX-XXXX-XXXX"' in page
    assert 'action="/access/"' in page
    assert 'href="/find-my-code/"' in page
    assert SESSION_KEY not in client.session


def test_a_card_link_with_a_malformed_code_is_filled_in_for_correcting_and_not_counted(
    issued, client, clock
):
    responses = [client.get("/?code=7kq2-m9xd") for _ in range(12)]

    assert {r.status_code for r in responses} == {200}
    assert 'value="7kq2-m9xd"' in responses[-1].content.decode()
    assert errors(responses[-1]) == ""
    assert enter(client, code_of(issued, issued.ivan).display).status_code == 302


def test_card_links_count_against_the_same_limits_as_the_form(issued, client, clock):
    correct = code_of(issued, issued.ivan)
    ip = "198.51.100.9"
    failures = [client.get(f"/?code={unknown_code(i)}", REMOTE_ADDR=ip) for i in range(5)]
    failures += [enter(client, unknown_code(i), ip=ip) for i in range(5, 10)]

    by_link = client.get(f"/?code={correct.code}", REMOTE_ADDR=ip)
    by_form = enter(client, correct.display, ip=ip)

    assert [r.status_code for r in failures] == [200] * 10
    assert (by_link.status_code, by_link["Retry-After"]) == (429, "900")
    assert by_form.status_code == 429
    assert SESSION_KEY not in client.session


def test_a_correct_code_opens_the_gallery_and_a_family_can_add_several_children(issued, client):
    ivan, masha = code_of(issued, issued.ivan), code_of(issued, issued.masha)

    first = enter(client, ivan.display)
    second = enter(client, " " + masha.display.lower().replace("-", " "))
    again = enter(client, ivan.code)

    assert [(r.status_code, r["Location"]) for r in (first, second, again)] == [
        (302, "/gallery/"),
        (302, "/gallery/"),
        (302, "/gallery/"),
    ]
    assert client.session[SESSION_KEY] == [ivan.pk, masha.pk]
    home = client.get("/").content.decode()
    assert "Opened on this device" in home
    assert "Ivan Petrov · Spring 2027" in home
    assert "Мария Семёнова · Spring 2027" in home


def test_unknown_revoked_and_expired_codes_get_the_same_words(issued, client):
    revoked = code_of(issued, issued.ivan)
    access_code_regenerate(code=revoked, now=NOW)
    expired = code_of(issued, issued.masha)
    expired.expires_at = NOW.replace(year=NOW.year - 1)
    expired.save()

    responses = [
        enter(client, "ABCD-EFGH-JKMN"),
        enter(client, revoked.display),
        enter(client, expired.display),
    ]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert GENERIC in errors(responses[0])
    assert errors(responses[0]) == errors(responses[1]) == errors(responses[2])
    assert SESSION_KEY not in client.session


def test_a_mistyped_code_is_told_the_format_and_does_not_count_as_a_guess(issued, client, clock):
    responses = [enter(client, "ABCD-EFGH") for _ in range(12)]

    assert {r.status_code for r in responses} == {200}
    assert FORMAT in errors(responses[-1])
    assert enter(client, code_of(issued, issued.ivan).display).status_code == 302


def test_a_code_of_a_picture_day_not_published_yet_says_so(in_alpha, client):
    day = make_picture_day(status=ShootStatus.IN_REVIEW)
    access_codes_issue(shoot=day.shoot, now=NOW)

    response = enter(client, code_of(day, day.ivan).display)

    assert response.status_code == 200
    assert "the photos of this picture day are not online yet" in errors(response)


def test_codes_of_another_studio_are_unknown_on_this_studios_host(alpha, beta):
    with schema_context(beta.schema):
        beta_day = make_picture_day()
        access_codes_issue(shoot=beta_day.shoot, now=NOW)
        beta_code = code_of(beta_day, beta_day.ivan).display

    on_alpha = enter(host_client(alpha.host), beta_code)
    on_beta = enter(host_client(beta.host), beta_code)

    assert (on_alpha.status_code, GENERIC in errors(on_alpha)) == (200, True)
    assert (on_beta.status_code, on_beta["Location"]) == (302, "/gallery/")


def test_a_studio_that_is_not_selling_takes_no_codes(issued, alpha, client):
    with schema_context("public"):
        alpha.studio.status = StudioStatus.SUSPENDED
        alpha.studio.save()

    home = client.get("/")
    response = enter(client, code_of(issued, issued.ivan).display)

    assert "This shop is not taking orders at the moment." in home.content.decode()
    assert 'name="code"' not in home.content.decode()
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


# --- rate limits ----------------------------------------------------------------------------


def test_after_ten_failures_an_address_is_refused_with_429_even_with_a_correct_code(
    issued, alpha, client, clock
):
    correct = code_of(issued, issued.ivan).display
    failures = [enter(client, unknown_code(i), ip="198.51.100.7") for i in range(10)]

    blocked = enter(client, unknown_code(99), ip="198.51.100.7")
    blocked_correct = enter(client, correct, ip="198.51.100.7")
    elsewhere = enter(host_client(alpha.host), correct, ip="198.51.100.8")
    clock.advance(15 * 60)
    after_the_window = enter(client, correct, ip="198.51.100.7")

    assert [r.status_code for r in failures] == [200] * 10
    assert (blocked.status_code, blocked["Retry-After"]) == (429, "900")
    assert (
        "Too many attempts. To protect children’s photos, code entry is paused: please try "
        "again in 15 minutes."
    ) in blocked.content.decode()
    assert blocked_correct.status_code == 429
    assert (elsewhere.status_code, after_the_window.status_code) == (302, 302)


def test_after_five_failures_on_one_code_it_is_refused_from_every_address(issued, client, clock):
    old = code_of(issued, issued.ivan)
    access_code_regenerate(code=old, now=NOW)
    tries = [enter(client, old.display, ip=f"192.0.2.{i}") for i in range(5)]

    sixth = enter(client, old.display, ip="192.0.2.200")
    same_address_other_code = enter(client, code_of(issued, issued.masha).display, ip="192.0.2.200")

    assert [r.status_code for r in tries] == [200] * 5
    assert (sixth.status_code, sixth["Retry-After"]) == (429, "3600")
    assert "please try again in 60 minutes." in sixth.content.decode()
    assert same_address_other_code.status_code == 302


def test_the_studio_wide_ceiling_stops_guesses_from_many_addresses(
    issued, client, clock, monkeypatch
):
    monkeypatch.setattr(ratelimit, "CODE_PER_STUDIO", ratelimit.Limit(3, 15 * 60))
    tries = [enter(client, unknown_code(i), ip=f"192.0.2.{i}") for i in range(3)]

    fourth = enter(client, code_of(issued, issued.ivan).display, ip="192.0.2.100")

    assert [r.status_code for r in tries] == [200] * 3
    assert fourth.status_code == 429


def test_a_correct_code_does_not_use_up_the_allowance(issued, client, clock):
    correct = code_of(issued, issued.ivan).display

    responses = [enter(client, correct) for _ in range(15)]

    assert {r.status_code for r in responses} == {302}


# --- find my code ---------------------------------------------------------------------------


def find(client, class_code: str, first: str, last: str, ip: str = "203.0.113.50"):
    return client.post(
        "/find-my-code/",
        {"class_code": class_code, "first_name": first, "last_name": last},
        REMOTE_ADDR=ip,
    )


def test_find_my_code_emails_the_childs_code_to_each_roster_parent_never_to_the_screen(
    issued, alpha, client, run_tasks, django_capture_on_commit_callbacks
):
    class_code = class_code_of(issued, issued.class_a).display
    ivan = code_of(issued, issued.ivan)

    with django_capture_on_commit_callbacks(execute=True):
        response = find(client, class_code.lower(), "  ivan ", "PETROV")
    page = client.get(response["Location"])

    assert (response.status_code, response["Location"]) == (302, "/find-my-code/sent/")
    assert NEUTRAL in page.content.decode()
    assert ivan.display not in page.content.decode()
    assert sorted(message.to for message in mail.outbox) == [
        ["mama@example.com"],
        ["papa@example.com"],
    ]
    link = studio_url(studio=alpha.studio, path=f"/?code={ivan.display}")
    assert link.endswith(f"alpha.localhost:8000/?code={ivan.display}")
    for message in mail.outbox:
        assert message.subject == "Alpha Photo: the access code for Ivan Petrov’s photos"
        assert f"Access code: {ivan.display}" in message.body
        assert link in message.body
    ivan.refresh_from_db()
    assert ivan.emailed_at is not None


def test_find_my_code_answers_the_same_bytes_whether_or_not_the_child_is_on_the_roster(
    issued, client, run_tasks, django_capture_on_commit_callbacks
):
    class_code = class_code_of(issued, issued.class_a).display

    with django_capture_on_commit_callbacks(execute=True):
        # first name and last name swapped, "е" for "ё": still Мария Семёнова
        matching = find(client, class_code, "Семенова", "мария", ip="203.0.113.60")
    with django_capture_on_commit_callbacks(execute=True):
        not_matching = find(client, class_code, "Nobody", "Atall", ip="203.0.113.61")

    def answer(response):
        return response.status_code, sorted(response.headers.items()), response.content

    assert answer(matching) == answer(not_matching)
    assert matching.content == b""
    assert [message.to for message in mail.outbox] == [["semenova@example.com"]]


def test_find_my_code_sends_nothing_for_a_childs_code_or_another_class(
    issued, client, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with_a_childs_code = find(client, code_of(issued, issued.masha).display, "Ivan", "Petrov")
        other_class = find(client, class_code_of(issued, issued.class_b).display, "Ivan", "Petrov")
        revoked_class = class_code_of(issued, issued.class_a)
        access_code_regenerate(code=revoked_class, now=NOW)
        with_a_revoked_class_code = find(client, revoked_class.display, "Ivan", "Petrov")

    assert [
        r["Location"] for r in (with_a_childs_code, other_class, with_a_revoked_class_code)
    ] == ["/find-my-code/sent/"] * 3
    assert mail.outbox == []


def test_find_my_code_is_rate_limited_per_address(issued, client, clock):
    class_code = class_code_of(issued, issued.class_a).display
    allowed = [find(client, class_code, "No", "Body") for _ in range(5)]

    sixth = find(client, class_code, "Ivan", "Petrov")

    assert [r.status_code for r in allowed] == [302] * 5
    assert (sixth.status_code, sixth["Retry-After"]) == (429, "3600")
    assert "please try again in 60 minutes." in sixth.content.decode()


def test_find_my_code_mails_about_one_child_at_most_three_times_a_day(
    issued, client, run_tasks, django_capture_on_commit_callbacks
):
    class_code = class_code_of(issued, issued.class_a).display

    with django_capture_on_commit_callbacks(execute=True):
        answers = [find(client, class_code, "Ivan", "Petrov", ip=f"192.0.2.{i}") for i in range(5)]

    assert {r["Location"] for r in answers} == {"/find-my-code/sent/"}
    assert len(mail.outbox) == 3 * 2  # two parents, three times


def test_the_code_field_is_shown_on_phones_as_a_big_capitalising_input(issued, client):
    page = client.get("/find-my-code/").content.decode()

    assert page.count('autocapitalize="characters"') == 1
    assert 'name="first_name"' in page
    assert 'name="last_name"' in page
