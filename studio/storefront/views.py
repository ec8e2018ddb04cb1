from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from .selectors import gallery_photo, gallery_sections


def gallery(request):
    """The photos the access codes opened in this browser: watermarked previews only."""
    sections = gallery_sections(session=request.session)
    if not sections:
        return redirect("/")
    return render(request, "storefront/gallery.html", {"sections": sections})


def gallery_image(request, photo_id, size):
    """A thumbnail or watermarked preview, only for a photo an opened code shows. Originals
    are never reachable from here."""
    photo = gallery_photo(session=request.session, photo_id=photo_id)
    field_file = {"thumb": "thumbnail", "preview": "preview"}.get(size)
    if photo is None or field_file is None or not getattr(photo, field_file):
        raise Http404
    response = FileResponse(getattr(photo, field_file).open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response
