"""The owner's e-mails: trial ending, payment failed, suspended — each once."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from billing.licences import licence_payment_failed
from billing.models import LicenceNotice
from billing.tasks import licences_check_all
from tenants.models import StudioStatus

from .conftest import studio_of


def _to_owner(fixture):
    return [m for m in mail.outbox if fixture.owner_email in m.to]


def test_trial_ending_then_suspension_each_mailed_once(alpha):
    with schema_context(get_public_schema_name()):
        studio = studio_of(alpha)
        studio.licence_valid_until = timezone.now() + timedelta(days=2)
        studio.save()
    mail.outbox.clear()
    licences_check_all()
    licences_check_all()
    sent = _to_owner(alpha)
    assert len(sent) == 1 and "trial ends" in sent[0].subject
    assert "/staff/billing/" in sent[0].body

    with schema_context(get_public_schema_name()):
        studio = studio_of(alpha)
        studio.licence_valid_until = timezone.now() - timedelta(minutes=1)
        studio.save()
    licences_check_all()
    licences_check_all()
    assert studio_of(alpha).status == StudioStatus.SUSPENDED
    sent = _to_owner(alpha)
    assert [m.subject for m in sent][1:] == ["Your Pictureday studio is suspended"]


def test_a_trial_far_from_its_end_gets_no_mail(alpha):
    mail.outbox.clear()
    licences_check_all()
    assert _to_owner(alpha) == []


def test_failed_payment_mailed_once(alpha, run_tasks, django_capture_on_commit_callbacks):
    with schema_context(get_public_schema_name()):
        studio = studio_of(alpha)
        studio.status = StudioStatus.ACTIVE
        studio.licence_valid_until = timezone.now() + timedelta(days=20)
        studio.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        licence_payment_failed(studio=studio_of(alpha), source="stripe:evt_1")
    with django_capture_on_commit_callbacks(execute=True):
        licence_payment_failed(studio=studio_of(alpha), source="stripe:evt_2")  # a retry
    licences_check_all()
    sent = _to_owner(alpha)
    assert [m.subject for m in sent] == ["Your Pictureday payment failed"]
    with schema_context(get_public_schema_name()):
        assert LicenceNotice.objects.filter(studio_id=alpha.studio.pk).count() == 1
