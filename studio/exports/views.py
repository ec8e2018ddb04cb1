from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from studio.core.policy import Action, require

from .links import LINK_MAX_AGE, export_for_token, export_link_token
from .models import ExportStatus
from .selectors import export_latest
from .services import export_downloaded, export_start
from .tables import PRIVATE, storage_for

# A presigned S3 URL for the ZIP works this long: enough to start the download, and the
# owner's signed link makes a new one whenever it is opened again.
DOWNLOAD_URL_SECONDS = 300


def _progress(export) -> dict:
    if export is None:
        return {"status": "", "done": 0, "total": 0, "percent": 0, "finished": True, "url": ""}
    ready = export.status == ExportStatus.READY
    return {
        "status": export.status,
        "label": export.get_status_display(),
        "done": export.done,
        "total": export.total,
        "percent": export.percent,
        "finished": export.is_finished,
        "url": reverse("exports:download", args=[export_link_token(export)]) if ready else "",
    }


@login_required
def export_home(request):
    require(request.user, Action.EXPORT_STUDIO_DATA)
    export = export_latest()
    return render(
        request,
        "exports/export.html",
        {
            "studio": request.tenant,
            "export": export,
            "progress": _progress(export),
            "link_days": LINK_MAX_AGE.days,
        },
    )


@login_required
@require_POST
def export_start_view(request):
    export_start(actor=request.user)
    messages.success(
        request, _("The export has started. We will e-mail you a link when it is ready.")
    )
    return redirect("exports:home")


@login_required
def export_progress(request):
    require(request.user, Action.EXPORT_STUDIO_DATA)
    return JsonResponse(_progress(export_latest()))


@login_required
def export_download(request, token):
    """The owner's ZIP; the link is signed for this studio and expires
    (``links.LINK_MAX_AGE``). On object storage (S3) the browser is sent to a presigned URL
    that lives a few minutes, so gigabytes never pass through a web process; on disk the
    file is streamed."""
    require(request.user, Action.EXPORT_STUDIO_DATA)
    export = export_for_token(token)
    if export is None or not export.file_name:
        raise Http404
    export_downloaded(actor=request.user, export=export)
    storage = storage_for(PRIVATE)
    filename = export.file_name.rsplit("/", 1)[-1]
    if not isinstance(storage, FileSystemStorage):
        response = redirect(
            storage.url(
                export.file_name,
                parameters={
                    "ResponseContentDisposition": f'attachment; filename="{filename}"',
                    "ResponseContentType": "application/zip",
                },
                expire=DOWNLOAD_URL_SECONDS,
            )
        )
    else:
        response = FileResponse(
            storage.open(export.file_name, "rb"),
            as_attachment=True,
            filename=filename,
            content_type="application/zip",
        )
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
