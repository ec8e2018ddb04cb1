"""E-mails to the operators: a new sign-up, and licences ending within 7 days or lapsed,
each told once."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from operator_console.models import NoticeKind, OperatorNotice
from operator_console.services import licence_notices_send
from tenants.models import Studio
from tenants.services import studio_create

OPS = ["ops@pictureday.test", "cto@pictureday.test"]


@pytest.fixture
def operators(settings):
    settings.OPERATOR_EMAILS = OPS
    return OPS


def test_a_sign_up_is_told_to_the_operators_once_it_commits(
    operators, db, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = studio_create(
            name="Gamma Foto",
            slug="gamma",
            owner_email="Owner@Gamma.test",
            owner_name="G",
            owner_password="correct horse battery staple",
        )
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == OPS
    assert "Gamma Foto" in message.subject
    assert "owner@gamma.test" in message.body
    assert f"/console/studios/{result.studio.pk}/" in message.body
    assert OperatorNotice.objects.filter(studio=result.studio, kind=NoticeKind.SIGNUP).count() == 1

    # a repeated delivery of the task does not e-mail again
    from operator_console.tasks import signup_notify

    assert signup_notify.run(result.studio.pk) is False
    assert len(mail.outbox) == 1


def test_no_operator_addresses_no_mail(settings, db, django_capture_on_commit_callbacks):
    settings.OPERATOR_EMAILS = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        studio_create(
            name="Delta",
            slug="delta",
            owner_email="o@delta.test",
            owner_name="D",
            owner_password="correct horse battery staple",
        )
    # the sign-up event is sent after the commit; with no operator addresses nobody is mailed
    assert len(callbacks) == 1 and mail.outbox == []


def test_expiring_and_lapsed_licences_are_told_once_per_licence_end(operators, alpha, beta):
    now = timezone.now()
    Studio.objects.filter(pk=alpha.studio.pk).update(
        licence_valid_until=now + datetime.timedelta(days=5)
    )
    Studio.objects.filter(pk=beta.studio.pk).update(
        licence_valid_until=now - datetime.timedelta(days=1)
    )

    assert licence_notices_send(now=now) == 2
    assert licence_notices_send(now=now) == 0
    assert licence_notices_send(now=now + datetime.timedelta(hours=12)) == 0

    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == ["Licence expiring: Alpha Photo", "Licence lapsed: Beta Pictures"]
    assert all(m.to == OPS for m in mail.outbox)

    # alpha's licence then runs out: a new event, told once
    assert licence_notices_send(now=now + datetime.timedelta(days=6)) == 1
    assert mail.outbox[-1].subject == "Licence lapsed: Alpha Photo"
    # beta renews and nears its new end: told again
    Studio.objects.filter(pk=beta.studio.pk).update(
        licence_valid_until=now + datetime.timedelta(days=40)
    )
    assert licence_notices_send(now=now + datetime.timedelta(days=34)) == 1
    assert mail.outbox[-1].subject == "Licence expiring: Beta Pictures"
    assert licence_notices_send(now=now + datetime.timedelta(days=34)) == 0


def test_studios_far_from_their_licence_end_are_not_told(operators, alpha):
    Studio.objects.filter(pk=alpha.studio.pk).update(
        licence_valid_until=timezone.now() + datetime.timedelta(days=8)
    )
    Studio.objects.exclude(pk=alpha.studio.pk).update(licence_valid_until=None)
    assert licence_notices_send() == 0
    assert mail.outbox == []
