"""Domain events of retouching, sent once the change is committed (like the orders' events),
so other apps (staff pay) react without retouching knowing them."""

from django.db import connection, transaction
from django.dispatch import Signal
from django_tenants.utils import schema_context

from .models import RetouchEvent

# ``photo``, ``retoucher``, ``event``: a retouched version was approved (once per approval;
# a photo approved again after more work is announced again, listeners decide).
retouch_approved = Signal()


def send_on_commit(signal: Signal, **kwargs) -> None:
    """Sends ``signal`` when the current transaction commits, in the schema current now."""
    schema_name = connection.schema_name

    def send():
        with schema_context(schema_name):
            signal.send(sender=RetouchEvent, **kwargs)

    transaction.on_commit(send)
