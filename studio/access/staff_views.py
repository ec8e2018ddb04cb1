"""Staff: a picture day's codes, issuing and regenerating them, printable cards, e-mailing
parents. Whoever may publish galleries may do all of it."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from saas_platform.pdf_fonts import PdfFontMissing
from studio.core.policy import Action, require
from studio.shoots.models import Shoot, ShootStatus

from .cards import CardTextUnsupported, access_cards_pdf
from .models import AccessCode, AccessCodeKind
from .selectors import access_code_list, access_code_summary, card_codes, shoots_with_code_counts
from .services import access_code_regenerate, access_codes_email_parents, access_codes_issue

logger = logging.getLogger(__name__)


def _shoot(request, pk: int) -> Shoot:
    require(request.user, Action.PUBLISH_GALLERY)
    return get_object_or_404(Shoot.objects.select_related("school"), pk=pk)


@login_required
def shoot_list(request):
    require(request.user, Action.PUBLISH_GALLERY)
    return render(request, "access/staff_shoots.html", {"shoots": shoots_with_code_counts()})


@login_required
def shoot_codes(request, pk: int):
    shoot = _shoot(request, pk)
    return render(
        request,
        "access/staff_codes.html",
        {
            "shoot": shoot,
            "codes": access_code_list(shoot=shoot),
            "summary": access_code_summary(shoot=shoot),
            "published": shoot.status == ShootStatus.PUBLISHED,
        },
    )


@login_required
@require_POST
def issue(request, pk: int):
    shoot = _shoot(request, pk)
    result = access_codes_issue(shoot=shoot)
    if result.students or result.classes:
        messages.success(
            request,
            _("New codes: %(students)d for children, %(classes)d for classes.")
            % {"students": result.students, "classes": result.classes},
        )
    else:
        messages.info(request, _("Every child and class already has a code."))
    return redirect("access_staff:shoot", shoot.pk)


@login_required
@require_POST
def regenerate(request, code_id: int):
    require(request.user, Action.PUBLISH_GALLERY)
    code = get_object_or_404(
        AccessCode.objects.select_related("student", "school_class"), pk=code_id
    )
    try:
        new = access_code_regenerate(code=code)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        whose = code.student.full_name if code.student else code.school_class.name
        messages.success(
            request,
            _("%(whose)s: the old code %(old)s no longer works; the new code is %(new)s.")
            % {"whose": whose, "old": code.display, "new": new.display},
        )
    return redirect("access_staff:shoot", code.shoot_id)


def _pdf(request, pk: int, kind: str, title: str, filename: str):
    shoot = _shoot(request, pk)
    try:
        pdf = access_cards_pdf(
            codes=card_codes(shoot=shoot, kind=kind),
            studio=request.tenant,
            title=f"{request.tenant.name} · {shoot.name} · {title}",
            request=request,
        )
    except CardTextUnsupported as error:
        messages.error(request, str(error))
        return redirect("access_staff:shoot", shoot.pk)
    except PdfFontMissing:
        logger.exception("access cards cannot be printed")
        messages.error(request, _("Cards cannot be printed: the server lacks the fonts for them."))
        return redirect("access_staff:shoot", shoot.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{shoot.pk}.pdf"'
    return response


@login_required
def cards(request, pk: int):
    return _pdf(request, pk, AccessCodeKind.STUDENT, _("access cards"), "access-cards")


@login_required
def class_cards(request, pk: int):
    return _pdf(request, pk, AccessCodeKind.CLASS, _("class codes"), "class-codes")


@login_required
@require_POST
def email_parents(request, pk: int):
    shoot = _shoot(request, pk)
    try:
        plan = access_codes_email_parents(shoot=shoot, resend=request.POST.get("resend") == "1")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("access_staff:shoot", shoot.pk)
    if plan.queued:
        messages.success(
            request,
            ngettext(
                "The code of %(count)d child is on its way to their parents.",
                "The codes of %(count)d children are on their way to their parents.",
                plan.queued,
            )
            % {"count": plan.queued},
        )
    else:
        messages.info(request, _("Nothing to send: every code was e-mailed already."))
    if plan.without_email:
        messages.warning(
            request,
            ngettext(
                "%(count)d child has no parent e-mail on the roster: hand out the printed card.",
                "%(count)d children have no parent e-mail on the roster: hand out the printed "
                "cards.",
                plan.without_email,
            )
            % {"count": plan.without_email},
        )
    return redirect("access_staff:shoot", shoot.pk)
