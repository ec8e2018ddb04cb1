from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from studio.core.policy import Action, may, require
from studio.photos.archive import zip_response
from studio.photos.models import Photo, RetouchStatus
from studio.photos.selectors import photos_selected
from studio.shoots.models import Shoot
from studio.shoots.selectors import shoots_visible_to

from .models import RetouchBatch, RetouchEventKind
from .services import (
    batch_download_entries,
    batch_photos,
    photos_send_to_retouch,
    retouch_approve,
    retouch_claim_batch,
    retouch_send_back,
    retouch_submit,
    retouch_upload_versions,
)
from .uploads import uploaded_on_disk


def _my_batch(request, pk) -> RetouchBatch:
    batch = get_object_or_404(RetouchBatch.objects.select_related("shoot", "retoucher"), pk=pk)
    if not may(request.user, Action.RETOUCH_PHOTOS, batch):
        raise PermissionDenied
    return batch


@login_required
def queue(request):
    """The retoucher's page: picture days with photos waiting, and their own batches. Owners
    and managers get the overview: what waits for a retoucher and what for their review."""
    if not may(request.user, Action.RETOUCH_PHOTOS):
        return review_overview(request)
    waiting = (
        Shoot.objects.annotate(
            queued=Count("photos", filter=Q(photos__retouch_status=RetouchStatus.QUEUED))
        )
        .filter(queued__gt=0)
        .select_related("school")
    )
    batches = (
        RetouchBatch.objects.filter(retoucher=request.user)
        .select_related("shoot")
        .annotate(
            open_count=Count(
                "photos",
                filter=Q(
                    photos__retouch_status__in=[RetouchStatus.CLAIMED, RetouchStatus.SENT_BACK]
                ),
            ),
            total=Count("photos"),
        )
    )
    return render(request, "retouching/queue.html", {"waiting": waiting, "batches": batches})


def review_overview(request):
    require(request.user, Action.REVIEW_RETOUCH)
    shoots = (
        Shoot.objects.annotate(
            queued=Count("photos", filter=Q(photos__retouch_status=RetouchStatus.QUEUED)),
            in_work=Count(
                "photos",
                filter=Q(
                    photos__retouch_status__in=[RetouchStatus.CLAIMED, RetouchStatus.SENT_BACK]
                ),
            ),
            to_review=Count("photos", filter=Q(photos__retouch_status=RetouchStatus.SUBMITTED)),
        )
        .filter(Q(queued__gt=0) | Q(in_work__gt=0) | Q(to_review__gt=0))
        .select_related("school")
        .order_by("-to_review", "date", "pk")
    )
    return render(request, "retouching/overview.html", {"shoots": shoots})


@login_required
@require_POST
def claim(request, shoot_id):
    require(request.user, Action.RETOUCH_PHOTOS)
    shoot = get_object_or_404(Shoot, pk=shoot_id)
    batch = retouch_claim_batch(shoot=shoot, retoucher=request.user)
    if batch is None:
        messages.error(request, _("No photos are waiting in this picture day any more."))
        return redirect("retouching:queue")
    return redirect("retouching:batch", batch.pk)


@login_required
def batch_detail(request, pk):
    batch = _my_batch(request, pk)
    photos = list(batch_photos(batch).prefetch_related("versions", "retouch_events"))
    for photo in photos:
        sent_back = [e for e in photo.retouch_events.all() if e.kind == RetouchEventKind.SENT_BACK]
        photo.sent_back_comment = (
            sent_back[-1].comment
            if photo.retouch_status == RetouchStatus.SENT_BACK and sent_back
            else ""
        )
    return render(request, "retouching/batch.html", {"batch": batch, "photos": photos})


@login_required
def batch_download(request, pk):
    """All originals of the batch as one ZIP, streamed in constant memory."""
    batch = _my_batch(request, pk)
    entries = [
        (name, photo.original, photo.size_bytes) for name, photo in batch_download_entries(batch)
    ]
    return zip_response(entries, f"batch-{batch.pk}-originals.zip")


@login_required
@require_POST
def batch_upload(request, pk):
    batch = _my_batch(request, pk)
    files = request.FILES.getlist("files")
    with uploaded_on_disk(files) as local:
        try:
            result = retouch_upload_versions(batch=batch, files=local, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("retouching:batch", batch.pk)
    if result.matched:
        messages.success(
            request,
            ngettext(
                "%(n)d retouched file matched.",
                "%(n)d retouched files matched.",
                len(result.matched),
            )
            % {"n": len(result.matched)},
        )
    if result.unmatched:
        messages.error(
            request, _("Not in this batch: %(names)s") % {"names": ", ".join(result.unmatched)}
        )
    for name, reason in result.rejected:
        messages.error(request, f"{name}: {reason}")
    return redirect("retouching:batch", batch.pk)


@login_required
@require_POST
def batch_submit(request, pk):
    batch = _my_batch(request, pk)
    try:
        count = retouch_submit(batch=batch, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext("%(n)d photo sent for review.", "%(n)d photos sent for review.", count)
            % {"n": count},
        )
    return redirect("retouching:queue")


@login_required
def review(request, shoot_id):
    """Managers compare original and retouched side by side, approve or send back."""
    require(request.user, Action.REVIEW_RETOUCH)
    shoot = get_object_or_404(Shoot, pk=shoot_id)
    photos = (
        Photo.objects.filter(shoot=shoot, retouch_status=RetouchStatus.SUBMITTED)
        .prefetch_related("versions")
        .order_by("original_name", "id")
    )
    return render(request, "retouching/review.html", {"shoot": shoot, "photos": photos})


@login_required
@require_POST
def decide(request, photo_id):
    require(request.user, Action.REVIEW_RETOUCH)
    photo = get_object_or_404(Photo, pk=photo_id)
    try:
        if request.POST.get("decision") == "approve":
            retouch_approve(photo=photo, actor=request.user)
            messages.success(request, _("“%(name)s” approved.") % {"name": photo.original_name})
        else:
            retouch_send_back(
                photo=photo, actor=request.user, comment=request.POST.get("comment", "")
            )
            messages.success(request, _("“%(name)s” sent back.") % {"name": photo.original_name})
    except ValidationError as error:
        messages.error(request, f"{photo.original_name}: {' '.join(error.messages)}")
    return redirect("retouching:review", photo.shoot_id)


@login_required
@require_POST
def send(request, shoot_id):
    """The picture day's grid: the ticked photos go to the retouching queue."""
    require(request.user, Action.MANAGE_SHOOTS)
    shoot = get_object_or_404(shoots_visible_to(user=request.user), pk=shoot_id)
    photos = photos_selected(user=request.user, shoot=shoot, ids=request.POST.getlist("photos"))
    if not photos:
        messages.error(request, _("Select at least one photo."))
        return redirect("picture_day:detail", shoot.pk)
    queued = photos_send_to_retouch(photos=photos, actor=request.user)
    messages.success(
        request,
        ngettext("%(n)d photo sent to retouching.", "%(n)d photos sent to retouching.", queued)
        % {"n": queued},
    )
    return redirect("picture_day:detail", shoot.pk)
