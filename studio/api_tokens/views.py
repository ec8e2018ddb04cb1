from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from saas_platform.forms import form_add_errors
from studio.core.policy import Action, api_token_roles, require

from .forms import ApiTokenForm
from .selectors import api_tokens_visible_to
from .services import api_token_issue, api_token_withdraw


@login_required
def token_list(request):
    """The studio's live tokens and a form for a new one, whose value is shown on the answer
    to that form only (never stored, never shown again)."""
    require(request.user, Action.MANAGE_API_TOKENS)
    form = ApiTokenForm(request.POST or None, roles=api_token_roles(request.user))
    created = raw = None
    if request.method == "POST" and form.is_valid():
        try:
            created, raw = api_token_issue(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            form = ApiTokenForm(roles=api_token_roles(request.user))
    response = render(
        request,
        "api_tokens/list.html",
        {
            "form": form,
            "tokens": api_tokens_visible_to(user=request.user),
            "created": created,
            "raw_token": raw,
            "api_base": request.build_absolute_uri("/api/"),
        },
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def token_revoke(request, pk):
    require(request.user, Action.MANAGE_API_TOKENS)
    token = get_object_or_404(api_tokens_visible_to(user=request.user), pk=pk)
    api_token_withdraw(actor=request.user, token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens:list")
