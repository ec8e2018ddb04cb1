"""The chart of accounts. Studio revenue is what is left of sales once discounts, refunds,
the platform's fees, schools' commissions and staff pay are taken off: the income and
expense accounts together, so it needs no account of its own."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from .models import Account, AccountKind

CASH = "cash"
BANK = "bank"
STRIPE = "stripe"
SALES = "sales"
DISCOUNTS = "discounts"
REFUNDS = "refunds"
PLATFORM_FEES = "platform_fees"
PLATFORM_FEES_PAYABLE = "platform_fees_payable"
COMMISSIONS = "commissions"
STAFF_PAY = "staff_pay"
COMMISSION_PAYABLE_PREFIX = "commission_payable:school:"
STAFF_PAYABLE_PREFIX = "staff_payable:person:"

CHART = {
    CASH: (AccountKind.ASSET, _("Cash")),
    BANK: (AccountKind.ASSET, _("Bank")),
    STRIPE: (AccountKind.ASSET, _("Stripe balance")),
    SALES: (AccountKind.INCOME, _("Sales")),
    DISCOUNTS: (AccountKind.INCOME, _("Discounts")),
    REFUNDS: (AccountKind.INCOME, _("Refunds")),
    PLATFORM_FEES: (AccountKind.EXPENSE, _("Platform fees")),
    PLATFORM_FEES_PAYABLE: (AccountKind.LIABILITY, _("Platform fees to invoice")),
    COMMISSIONS: (AccountKind.EXPENSE, _("School commissions")),
    STAFF_PAY: (AccountKind.EXPENSE, _("Staff pay")),
}
# Where money received by each payment method sits.
METHOD_ACCOUNTS = {"cash": CASH, "bank_transfer": BANK, "stripe": STRIPE}


def account(code: str) -> Account:
    """The chart's account ``code``, made on first use."""
    kind, _label = CHART[code]
    return _get_or_create(code, kind=kind)


def method_account(method: str) -> Account:
    return account(METHOD_ACCOUNTS.get(method, BANK))


def commission_payable(school_id: int) -> Account:
    """What the studio owes one school in commissions."""
    return _get_or_create(
        f"{COMMISSION_PAYABLE_PREFIX}{school_id}", kind=AccountKind.LIABILITY, school_id=school_id
    )


def staff_payable(person_id: int) -> Account:
    """What the studio owes one member of staff."""
    return _get_or_create(
        f"{STAFF_PAYABLE_PREFIX}{person_id}", kind=AccountKind.LIABILITY, person_id=person_id
    )


def account_label(acc: Account) -> str:
    """The account's name in the reader's language."""
    if acc.code in CHART:
        return str(CHART[acc.code][1])
    if acc.school_id:
        return str(_("Commission owed to %(school)s")) % {"school": acc.school}
    if acc.person_id:
        return str(_("Pay owed to %(person)s")) % {"person": acc.person}
    return acc.code


def _get_or_create(code: str, **fields) -> Account:
    found = Account.objects.filter(code=code).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Account.objects.create(code=code, **fields)
    except IntegrityError:  # made at the same moment by another request
        return Account.objects.get(code=code)
