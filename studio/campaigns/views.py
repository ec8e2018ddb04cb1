"""Staff pages (owners and managers) and the parents' one-click unsubscribe page. Thin: the
work is in ``services``."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from studio.core.policy import Action, require
from studio.schools.models import School
from studio.shoots.models import Shoot, ShootStatus
from studio.sms.segments import sms_length
from tenants.selectors import current_studio

from .dispatch import message_render, sms_render
from .forms import CampaignSettingsForm, MessageTemplateForm, SendForm
from .models import CampaignKind, Channel, Recipient, Suppression
from .selectors import campaign_audience, campaign_settings, send_progress, sends_of
from .services import (
    address_unsubscribe,
    campaign_send_refusal,
    campaign_send_start,
    campaign_settings_update,
    message_template_save,
    recipient_bounce_record,
)
from .unsubscribe import unsubscribe_read
from .wording import PLACEHOLDERS, sms_default, sms_wording_for, wording_for

GET_POST = ["GET", "POST"]
RECIPIENTS_PER_PAGE = 100


@login_required
@require_http_methods(GET_POST)
def index(request):
    """The schedule, the picture days to write about, and the latest sends."""
    require(request.user, Action.MANAGE_CAMPAIGNS)
    form = CampaignSettingsForm(request.POST or None, instance=campaign_settings())
    if request.method == "POST" and form.is_valid():
        try:
            campaign_settings_update(**form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Campaign settings saved."))
            return redirect("campaigns:index")
    shoots = Shoot.objects.filter(
        status__in=[ShootStatus.PUBLISHED, ShootStatus.CLOSED]
    ).select_related("school")
    sends = [(send, send_progress(send=send)) for send in sends_of()[:10]]
    return render(request, "campaigns/index.html", {"form": form, "shoots": shoots, "sends": sends})


@login_required
@require_http_methods(GET_POST)
def shoot(request, shoot_id: int):
    """One picture day's campaigns: who each would reach, "Send now", and its sends."""
    require(request.user, Action.MANAGE_CAMPAIGNS)
    picture_day = get_object_or_404(Shoot.objects.select_related("school"), pk=shoot_id)
    if request.method == "POST":
        form = SendForm(request.POST)
        if form.is_valid():
            try:
                send = campaign_send_start(
                    shoot=picture_day, kind=form.cleaned_data["kind"], actor=request.user
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The campaign is being sent."))
                return redirect("campaigns:send", send_id=send.pk)
    kinds = []
    for kind in CampaignKind:
        audience = campaign_audience(shoot=picture_day, kind=kind)
        texts = sum(1 for family in audience if family.channel == Channel.SMS)
        refusal = campaign_send_refusal(shoot=picture_day, kind=kind)
        kinds.append((kind, len(audience) - texts, texts, refusal))
    sends = [(send, send_progress(send=send)) for send in sends_of(shoot=picture_day)]
    return render(
        request,
        "campaigns/shoot.html",
        {"shoot": picture_day, "kinds": kinds, "sends": sends},
    )


@login_required
def send(request, send_id: int):
    """A send's progress (the page refreshes itself while it goes) and its recipients."""
    require(request.user, Action.MANAGE_CAMPAIGNS)
    campaign = get_object_or_404(sends_of(), pk=send_id)
    page = Paginator(campaign.recipients.order_by("pk"), RECIPIENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "campaigns/send.html",
        {"send": campaign, "progress": send_progress(send=campaign), "page": page},
    )


@login_required
@require_POST
def bounce(request, recipient_id: int):
    """Staff record a message that came back (an inbound bounce hook may call the same)."""
    require(request.user, Action.MANAGE_CAMPAIGNS)
    recipient = get_object_or_404(Recipient, pk=recipient_id)
    try:
        recipient_bounce_record(recipient=recipient, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Recorded as bounced: campaigns no longer write there."))
    return redirect("campaigns:send", send_id=recipient.send_id)


@login_required
def message_list(request):
    require(request.user, Action.MANAGE_CAMPAIGNS)
    rows = []
    for kind in CampaignKind:
        for code, name in settings.LANGUAGES:
            subject, _body, own = wording_for(kind=kind, language=code)
            rows.append(
                {
                    "kind": kind,
                    "language": code,
                    "language_name": name,
                    "subject": subject,
                    "own": own,
                }
            )
    return render(request, "campaigns/messages.html", {"rows": rows})


@login_required
@require_http_methods(GET_POST)
def message_edit(request, kind: str, language: str):
    """Edit a kind's wording in one language; "Preview" shows it as a family would get it."""
    require(request.user, Action.MANAGE_CAMPAIGNS)
    if kind not in CampaignKind.values or language not in dict(settings.LANGUAGES):
        raise Http404
    subject, body, own = wording_for(kind=kind, language=language)
    sms, _own_sms = sms_wording_for(kind=kind, language=language)
    form = MessageTemplateForm(
        request.POST or None, initial={"subject": subject, "body": body, "sms": sms}
    )
    preview = sms_preview = None
    if request.method == "POST" and form.is_valid():
        wording = (form.cleaned_data["subject"], form.cleaned_data["body"])
        sms = form.cleaned_data["sms"]
        if "save" in request.POST:
            message_template_save(
                kind=kind, language=language, subject=wording[0], body=wording[1], sms=sms
            )
            messages.success(request, _("Message saved."))
            return redirect("campaigns:message", kind=kind, language=language)
        preview, sms_preview = _preview(kind=kind, language=language, wording=wording, sms=sms)
    elif request.method == "GET":
        preview, sms_preview = _preview(
            kind=kind, language=language, wording=(subject, body), sms=sms
        )
    return render(
        request,
        "campaigns/message.html",
        {
            "form": form,
            "kind": CampaignKind(kind),
            "language": language,
            "language_name": dict(settings.LANGUAGES)[language],
            "own": own,
            "placeholders": PLACEHOLDERS,
            "preview": preview,
            "sms_preview": sms_preview,
        },
    )


def _preview(*, kind: str, language: str, wording: tuple[str, str], sms: str):
    """The e-mail and the text (with its length in SMS segments) for a sample family (named
    in the message's language), on the latest published picture day (or a sample one,
    unsaved, when there is none)."""
    studio = current_studio()
    picture_day = (
        Shoot.objects.filter(status=ShootStatus.PUBLISHED).select_related("school").first()
    )
    with translation.override(language):
        child = _("Anna Smith")
        if picture_day is None:
            picture_day = Shoot(name=_("Autumn picture day"), school=School(name=_("School No. 1")))
    email = message_render(
        studio=studio,
        shoot=picture_day,
        kind=kind,
        language=language,
        address="parent@example.com",
        children=[child],
        codes=["ABCD-EFGH"],
        wording=wording,
    ).email
    text = sms_render(
        studio=studio,
        shoot=picture_day,
        kind=kind,
        language=language,
        children=[child],
        codes=["ABCD-EFGH"],
        text=sms or sms_default(kind=kind, language=language),
    )
    return email, {"text": text, "length": sms_length(text)}


@csrf_exempt  # the signed token is the credential; RFC 8058 mail clients POST without a form
@require_http_methods(GET_POST)
def unsubscribe(request, token: str):
    """GET asks to confirm (a link scanner must not unsubscribe anyone); POST unsubscribes,
    from the page's button or a mail client's one-click (RFC 8058)."""
    found = unsubscribe_read(token=token, schema=connection.schema_name)
    if found is None:
        raise Http404
    channel, address = found
    done = request.method == "POST"
    if done:
        address_unsubscribe(channel=channel, address=address)
    already = not done and Suppression.objects.filter(channel=channel, address=address).exists()
    return render(
        request,
        "campaigns/unsubscribe.html",
        {"address": address, "done": done, "already": already, "email": channel == Channel.EMAIL},
    )
