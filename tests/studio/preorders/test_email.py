"""Once the picture day is published, each parent with a paid pre-order is e-mailed, once,
that the photos are online to choose from."""

from django.core import mail
from django_tenants.utils import schema_context

from studio.preorders.models import Credit
from studio.preorders.services import credits_online_email_send
from tests.studio.preorders.conftest import parent_preorders, pay, publish


def test_publishing_tells_each_paying_parent_once(
    day, run_tasks, django_capture_on_commit_callbacks
):
    _client, paid = parent_preorders(day, "paid@example.com")
    _client2, unpaid = parent_preorders(day, "unpaid@example.com", child="Boris")
    pay(day, paid, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    publish(day, django_capture_on_commit_callbacks, transition=True)

    told = [m for m in mail.outbox if "pre-paid package" in m.subject]
    assert [m.to for m in told] == [["paid@example.com"]]
    body = told[0].body
    assert "You pre-paid “Class photo + 5 prints” for Anna." in body
    assert f"http://{day['studio'].host}" in body and paid.number in body
    assert "Boris" not in body
    with schema_context(day["studio"].schema):
        assert Credit.objects.get(order=paid).notified_at is not None
        assert Credit.objects.get(order=unpaid).notified_at is None
        # a redelivered task sends nothing again
        assert credits_online_email_send(shoot_id=day["shoot"].pk) == 0
    assert len([m for m in mail.outbox if "pre-paid package" in m.subject]) == 1
