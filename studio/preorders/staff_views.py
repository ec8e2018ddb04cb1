"""Staff: open pre-orders per picture day and choose the packages (whoever manages picture
days), issue the classes' pre-order codes, and refund a credit's unused part (whoever may
refund orders). Views only translate HTTP; ``services`` decide."""

import uuid

import stripe
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from saas_platform.money import format_money
from studio.core.policy import Action, may, require
from studio.shoots.models import Shoot

from .models import Credit
from .selectors import (
    ONLINE_STATUSES,
    preorder_links,
    preorder_setup_for,
    sheet_packages,
    shoot_credits,
    shoots_for_preorders,
)
from .services import credit_refund_unused, preorder_links_issue, preorder_setup_update


def _shoot(request, pk: int) -> Shoot:
    require(request.user, Action.MANAGE_SHOOTS)
    return get_object_or_404(Shoot.objects.select_related("school"), pk=pk)


@login_required
def shoot_list(request):
    require(request.user, Action.MANAGE_SHOOTS)
    return render(request, "preorders/shoots.html", {"shoots": shoots_for_preorders()})


@login_required
def shoot_page(request, pk: int):
    shoot = _shoot(request, pk)
    error = ""
    if request.method == "POST":
        try:
            preorder_setup_update(
                shoot=shoot,
                enabled=request.POST.get("enabled") == "1",
                package_ids=[v for v in request.POST.getlist("package") if v.isdigit()],
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, _("Pre-orders saved."))
            return redirect("preorders:shoot", shoot.pk)
    setup = preorder_setup_for(shoot=shoot)
    chosen = set(setup.packages.values_list("pk", flat=True)) if setup.pk else set()
    return render(
        request,
        "preorders/shoot.html",
        {
            "shoot": shoot,
            "setup": setup,
            "packages": sheet_packages(shoot=shoot),
            "chosen": chosen,
            "online": shoot.status in ONLINE_STATUSES,
            "links": preorder_links(shoot=shoot),
            "credits": shoot_credits(shoot=shoot),
            "can_refund": may(request.user, Action.REFUND_ORDER),
            "refund_token": uuid.uuid4(),
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def links_issue(request, pk: int):
    shoot = _shoot(request, pk)
    made = preorder_links_issue(shoot=shoot)
    messages.success(
        request,
        ngettext(
            "%(count)d class pre-order code issued.",
            "%(count)d class pre-order codes issued.",
            made,
        )
        % {"count": made},
    )
    return redirect("preorders:shoot", shoot.pk)


@login_required
@require_POST
def credit_refund(request, pk: int):
    """Gives back a credit's unused part; back to the page it was asked from."""
    require(request.user, Action.REFUND_ORDER)
    credit = get_object_or_404(Credit.objects.select_related("order", "package"), pk=pk)
    token = request.POST.get("token", "")
    try:
        refund = credit_refund_unused(
            credit=credit,
            actor=request.user,
            idempotency_key=f"preorder-{credit.pk}-{uuid.UUID(token)}" if token else None,
        )
    except ValueError:
        messages.error(request, _("The form expired; please try again."))
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    except stripe.StripeError as problem:
        messages.error(
            request, _("Stripe refused the refund: %s") % (problem.user_message or problem)
        )
    else:
        amount = format_money(refund.amount, credit.order.currency)
        messages.success(
            request, _("Refunded %(amount)s of the unused pre-paid package.") % {"amount": amount}
        )
    back = request.POST.get("back", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect("preorders:shoot", credit.shoot_id)
