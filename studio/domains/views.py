from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from studio.core.policy import Action, require
from tenants.domains import custom_domain_records, custom_domains_of, platform_host
from tenants.models import Domain

from .forms import DomainForm
from .services import (
    studio_domain_add,
    studio_domain_check,
    studio_domain_make_main,
    studio_domain_remove,
)


@login_required
def domain_list(request):
    require(request.user, Action.MANAGE_STUDIO_SETTINGS)
    studio = request.tenant
    form = DomainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            domain = studio_domain_add(
                studio=studio, hostname=form.cleaned_data["domain"], actor=request.user
            )
        except ValidationError as error:
            form.add_error("domain", error)
        else:
            messages.success(
                request,
                _("%(domain)s added: create the two DNS records below.") % {"domain": domain},
            )
            return redirect("domains:list")
    domains = custom_domains_of(studio)
    return render(
        request,
        "domains/list.html",
        {
            "form": form,
            "own_host": platform_host(studio),
            "domains": [(d, custom_domain_records(d)) for d in domains],
        },
    )


def _act(request, pk, action):
    require(request.user, Action.MANAGE_STUDIO_SETTINGS)
    try:
        return action(pk)
    except Domain.DoesNotExist as error:
        raise Http404 from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return None


@login_required
@require_POST
def domain_check(request, pk):
    studio = request.tenant
    verified = _act(
        request,
        pk,
        lambda domain_id: studio_domain_check(
            studio=studio, domain_id=domain_id, actor=request.user
        ),
    )
    if verified:
        messages.success(request, _("Verified: the domain is active."))
    elif verified is False:
        messages.warning(request, _("Not verified yet; see the note under the domain."))
    return redirect("domains:list")


@login_required
@require_POST
def domain_primary(request, pk):
    studio = request.tenant
    if _act(
        request,
        pk,
        lambda domain_id: studio_domain_make_main(
            studio=studio, domain_id=domain_id, actor=request.user
        ),
    ):
        messages.success(request, _("E-mails and links now use this address."))
    return redirect("domains:list")


@login_required
@require_POST
def domain_remove(request, pk):
    studio = request.tenant
    _act(
        request,
        pk,
        lambda domain_id: studio_domain_remove(
            studio=studio, domain_id=domain_id, actor=request.user
        ),
    )
    return redirect("domains:list")
