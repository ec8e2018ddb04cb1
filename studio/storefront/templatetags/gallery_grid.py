"""The gallery's grid of thumbnails, rendered in Python: a page shows up to a hundred photos
and the template loop cost more than every query of the page together."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from studio.storefront.selectors import image_links

register = template.Library()


@register.filter
def image_src(links: dict, photo_id) -> str:
    """The signed link of ``photo_id`` among ``links`` (``selectors.image_links``), or ""."""
    return links.get(int(photo_id), "") if photo_id else ""


def _favourite_mark() -> str:
    return f'<span class="fav-mark" title="{escape(_("Favourite"))}">♥</span>'


def favourite_marks(html: str, favourites) -> str:
    """Puts the ♥ on the tiles of ``favourites`` in tiles rendered without any: a cached grid
    is shared by every parent, favourites are one parent's."""
    mark = _favourite_mark()
    for photo_id in favourites:
        anchor = f'data-photo="{int(photo_id)}">'
        html = html.replace(anchor, anchor + mark)
    return html


@register.simple_tag
def photo_tiles(section, favourites, gallery_url: str):
    """``<li>`` tiles for ``section.photo_ids``: link to the full view, lazy thumbnail (a
    signed link, ``selectors.image_links``: the grid is cached per link window and
    ``"withdrawn"`` version, see ``views.gallery``), ♥ for favourites, a checkbox for
    "select all" when the picture day sells photos."""
    photo_word, select_word = escape(_("Photo")), escape(_("Select photo"))
    favourite_mark = _favourite_mark()
    child = f"?child={int(section.child_id)}" if section.child_id else ""
    selectable = bool(section.offer and section.offer.photo_products)
    base = escape(gallery_url)
    thumbs = image_links(
        photo_ids=section.photo_ids,
        rendition="thumb",
        version=getattr(section, "withdrawn", None),
    )
    tiles = []
    for number, photo_id in enumerate(section.photo_ids, start=1):
        photo_id = int(photo_id)
        tile = (
            f'<li class="tile" data-photo="{photo_id}">'
            + (favourite_mark if photo_id in favourites else "")
            + f'<a href="{base}{photo_id}/{child}">'
            f'<img src="{escape(thumbs.get(photo_id, ""))}" alt="{photo_word} {number}" '
            f'loading="lazy" width="400" height="400"></a>'
        )
        if selectable:
            tile += (
                f'<label class="pick"><input type="checkbox" name="photo" value="{photo_id}">'
                f'<span class="visually-hidden">{select_word} {number}</span></label>'
            )
        tiles.append(tile + "</li>")
    return mark_safe("\n".join(tiles))  # noqa: S308 - ints and escaped words only
