import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from saas_platform.forms import form_add_errors
from studio.core.policy import Action, require

from .forms import StudioSettingsForm
from .selectors import watermark_rerender_latest
from .services import studio_settings_update, watermark_preview_render


def _progress(job) -> dict:
    if job is None:
        return {"total": 0, "done": 0, "finished": True}
    return {"total": job.total, "done": job.done, "finished": job.is_finished}


@login_required
def studio_settings(request):
    require(request.user, Action.MANAGE_STUDIO_SETTINGS)
    studio = request.tenant
    form = StudioSettingsForm(request.POST or None, request.FILES or None, studio=studio)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            studio_settings_update(studio=studio, actor=request.user, **data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Studio settings saved."))
            return redirect("studio_settings:home")
    return render(
        request,
        "studio_settings/settings.html",
        {
            "form": form,
            "studio": studio,
            "rerender": _progress(watermark_rerender_latest()),
        },
        status=400 if form.errors else 200,
    )


@login_required
def watermark_progress(request):
    require(request.user, Action.MANAGE_STUDIO_SETTINGS)
    return JsonResponse(_progress(watermark_rerender_latest()))


@login_required
def watermark_preview(request):
    """A small sample photo with the watermark: the saved one, or the form's unsaved text
    (``text``) and opacity (``opacity``); ``image=0`` leaves the saved image out (the owner
    ticked "remove"). An image chosen but not yet uploaded cannot be shown before saving."""
    require(request.user, Action.MANAGE_STUDIO_SETTINGS)
    jpeg = watermark_preview_render(
        studio=request.tenant,
        text=request.GET.get("text"),
        opacity=request.GET.get("opacity"),
        use_image=request.GET.get("image") != "0",
    )
    response = HttpResponse(jpeg, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


def branding_media(request, schema, name):
    """The studio's logo and its display sizes on local storage (object storage hands out
    signed URLs instead): public, as the storefront shows them, but only this studio's."""
    if schema != connection.schema_name or ".." in name.split("/"):
        raise Http404
    name = f"branding/{name}"
    if not default_storage.exists(name):
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if not content_type.startswith("image/"):
        raise Http404
    response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
