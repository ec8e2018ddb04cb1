from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from studio.core.policy import Action, require

from .forms import AuditFilterForm
from .selectors import audit_entries

PAGE_SIZE = 50


@login_required
def audit_log(request):
    """The owner reads who changed what, narrowed to a person and/or a kind."""
    require(request.user, Action.VIEW_AUDIT_LOG)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entries(actor_id=filters.get("person"), kind=filters.get("kind") or "")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "audit/log.html", {"form": form, "page": page, "query": query.urlencode()}
    )
