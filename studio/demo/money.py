"""The demo's money side: a signed commission agreement with the school and pay rules for the
photographer and the retoucher, so a sale in the demo shows up in the principal's portal, in
"My earnings" and in the owner's commissions and staff pay."""

import datetime
from decimal import Decimal

from saas_platform.accounts.models import Role
from studio.commissions.models import Agreement, AgreementStatus, Basis, ProductKind
from studio.commissions.services import Terms, agreement_create, agreement_move
from studio.payroll.models import PayRule, PayRuleKind
from studio.payroll.services import rule_create
from studio.schools.models import School

SEASON_START = datetime.date(2026, 9, 1)


def demo_money_seed(*, school: School, owner) -> None:
    """Idempotent: made once, left alone afterwards (the owner may have changed them)."""
    if not Agreement.objects.filter(school=school).exists():
        agreement = agreement_create(
            school=school,
            terms=Terms(
                basis=Basis.PERCENT,
                kinds=[ProductKind.DIGITAL, ProductKind.PRINT, ProductKind.PACKAGE],
                valid_from=SEASON_START,
                percent=Decimal("10"),
            ),
            actor=owner,
        )
        agreement_move(agreement=agreement, to=AgreementStatus.SENT)
        agreement_move(agreement=agreement, to=AgreementStatus.SIGNED)
    if not PayRule.objects.exists():
        rule_create(
            kind=PayRuleKind.PHOTO_SALE,
            role=Role.PHOTOGRAPHER,
            effective_from=SEASON_START,
            amount=Decimal("1.00"),
            print_amount=Decimal("0.50"),
            actor=owner,
        )
        rule_create(
            kind=PayRuleKind.RETOUCH,
            role=Role.RETOUCHER,
            effective_from=SEASON_START,
            amount=Decimal("0.30"),
            actor=owner,
        )
