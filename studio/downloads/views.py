"""Serving a paid order's files. Every request re-checks the link, the grant and the order;
files go out as attachments and are never cached by anything in between."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from saas_platform.accounts.models import Role
from studio.core.policy import Action, require
from studio.orders.invoices import invoice_pdf
from studio.orders.models import Order
from studio.photos.archive import zip_response

from .selectors import LinkProblem, link_access, photo_file, zip_entries
from .services import download_grant_reissue, download_links_email_send

PROBLEM_STATUS = {
    "invalid": 404,
    "replaced": 403,
    "unavailable": 403,
    "revoked": 403,
    "expired": 410,
}


def _private(response):
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"  # the link is the key: never leak it
    response["X-Robots-Tag"] = "noindex"
    return response


def _problem(request, problem: LinkProblem):
    response = render(
        request,
        "downloads/link_problem.html",
        {"kind": problem.kind},
        status=PROBLEM_STATUS[problem.kind],
    )
    return _private(response)


@require_safe
def download_file(request, token):
    """One full-resolution photo, or every photo of the order as one streamed ZIP."""
    try:
        access = link_access(token=token)
    except LinkProblem as problem:
        return _problem(request, problem)
    order = access.order
    if access.is_zip:
        entries = zip_entries(photos=access.photos, order=order)
        return _private(zip_response(entries, f"{order.number}-photos.zip"))
    field_file, name, _size = photo_file(photo=access.photos[0], order=order)
    response = FileResponse(field_file.open("rb"), as_attachment=True, filename=name)
    return _private(response)


@require_safe
def download_thumb(request, token):
    """The small thumbnail next to a download link (the same link opens it)."""
    try:
        access = link_access(token=token)
    except LinkProblem as problem:
        return _problem(request, problem)
    photo = access.photos[0]
    if access.is_zip or not photo.thumbnail:
        raise Http404
    response = FileResponse(photo.thumbnail.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _order_for(request, number: str) -> tuple[Order, bool]:
    """The order if the signed-in user may act on it: its own parent, or staff who manage
    orders (another parent's order is not found; other staff roles are refused)."""
    user = request.user
    if user.role == Role.PARENT:
        return get_object_or_404(Order, number=number, parent=user), False
    require(user, Action.MANAGE_ORDERS)
    return get_object_or_404(Order, number=number), True


@login_required
@require_POST
def reissue(request, number):
    """New links (the old ones stop working), e-mailed to the order's address."""
    order, is_staff = _order_for(request, number)
    try:
        download_grant_reissue(order=order, restore=is_staff)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        download_links_email_send(order_id=order.pk, force=True, request=request)
        messages.success(
            request,
            _("New download links were sent to %(email)s.") % {"email": order.email},
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = order.get_absolute_url()
    return redirect(target)


@login_required
@require_GET
def invoice(request, number):
    order, _is_staff = _order_for(request, number)
    pdf = invoice_pdf(order=order, studio=request.tenant)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="invoice-{order.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
