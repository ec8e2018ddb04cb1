"""Two pay runs at once, each on its own connection and committing: the second starts while
the first has paid but not yet committed, waits on the run lock, then finds nothing due.
Without the lock the second would read the balance the first has not committed and pay it
again."""

import threading
import time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.audit.models import AuditEntry
from studio.ledger import accounts
from studio.ledger.models import Account, LedgerTransaction
from studio.ledger.selectors import balance
from studio.payroll.models import PayRun, PayRunLine
from studio.payroll.services import adjustment_record, pay_run_create


def _waiting_on_a_lock(timeout=5.0) -> bool:
    """Whether another connection is waiting for an advisory lock (pg_locks, asked from the first run's own connection)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


def _forget(person):
    """Removes what the test committed; the books refuse DELETE, so past their triggers."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        account = Account.objects.filter(person=person).first()
        txn_ids = list(
            LedgerTransaction.objects.filter(entries__account=account).values_list("pk", flat=True)
        )
        cursor.execute("DELETE FROM ledger_ledgerentry WHERE transaction_id = ANY(%s)", [txn_ids])
        cursor.execute("DELETE FROM ledger_ledgertransaction WHERE id = ANY(%s)", [txn_ids])
        runs = list(PayRunLine.objects.filter(person=person).values_list("run_id", flat=True))
        PayRunLine.objects.filter(run_id__in=runs).delete()
        PayRun.objects.filter(pk__in=runs).delete()
        cursor.execute("DELETE FROM ledger_account WHERE person_id = %s", [person.pk])
        cursor.execute("SET LOCAL session_replication_role = origin")
    AuditEntry.objects.filter(kind="pay_adjusted", subject=str(person)).delete()
    person.delete()


def test_two_pay_runs_at_once_pay_a_balance_once(live_studios, committed):
    alpha = live_studios["alpha"]
    with committed(), schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
        person = User.objects.create_user(
            email="race-pay@alpha.test", password="pw-123456", role=Role.PHOTOGRAPHER
        )
        adjustment_record(
            person=person, amount=Decimal("50.00"), reason="Season bonus", actor=owner
        )

    first_done, outcome = threading.Event(), {}

    def first():
        """Runs pay and holds its transaction open until the second run is waiting."""
        try:
            with schema_context(alpha.schema), transaction.atomic():
                outcome["first"] = pay_run_create(period_end=timezone.localdate(), actor=owner)
                first_done.set()
                outcome["second_waited"] = _waiting_on_a_lock()
        finally:
            first_done.set()
            connections.close_all()

    def second():
        first_done.wait(10)
        try:
            with schema_context(alpha.schema):
                outcome["second"] = pay_run_create(period_end=timezone.localdate(), actor=owner)
        except ValidationError as error:
            outcome["second"] = error
        finally:
            connections.close_all()

    with committed():
        try:
            threads = [threading.Thread(target=first), threading.Thread(target=second)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
            with schema_context(alpha.schema):
                assert outcome["second_waited"], "the second run did not wait for the first"
                assert isinstance(outcome["second"], ValidationError)
                assert outcome["second"].code == "nothing_due"
                paid = PayRunLine.objects.filter(person=person)
                assert [line.amount for line in paid] == [Decimal("50.000")]
                assert -balance(accounts.staff_payable(person.pk), "EUR") == Decimal("0")
        finally:
            with schema_context(alpha.schema):
                _forget(person)
