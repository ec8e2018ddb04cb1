"""Whether a picture day's photos are ready for parents: checked by
``studio.shoots.services.shoot_transition`` before publishing (registered on import, from
``PhotosConfig.ready``) and shown on the picture day's page."""

from django.db.models import Count
from django.utils.translation import ngettext

from studio.shoots.services import shoot_publish_check_register

from .models import Photo, RetouchStatus
from .selectors import photos_untagged

# Retouching that is not finished: the photo has no final version parents may buy yet.
UNFINISHED_RETOUCHING = (
    RetouchStatus.QUEUED,
    RetouchStatus.CLAIMED,
    RetouchStatus.SUBMITTED,
    RetouchStatus.SENT_BACK,
)
UNTAGGED_NAMES_SHOWN = 10


@shoot_publish_check_register
def shoot_publish_problems(shoot) -> list[str]:
    """What the photos lack before the picture day may be published: unfinished retouching
    (queued, claimed, waiting for review, sent back) and untagged ready photos, by name."""
    problems = []
    in_retouching = dict(
        Photo.objects.filter(shoot=shoot, retouch_status__in=UNFINISHED_RETOUCHING)
        .values_list("retouch_status")
        .annotate(n=Count("id"))
        .values_list("retouch_status", "n")
    )
    if in_retouching:
        count = sum(in_retouching.values())
        states = ", ".join(
            f"{RetouchStatus(status).label}: {in_retouching[status]}"
            for status in UNFINISHED_RETOUCHING
            if status in in_retouching
        )
        problems.append(
            ngettext(
                "%(count)d photo is still in retouching (%(states)s).",
                "%(count)d photos are still in retouching (%(states)s).",
                count,
            )
            % {"count": count, "states": states}
        )
    untagged = list(photos_untagged(shoot=shoot).values_list("original_name", flat=True))
    if untagged:
        names = ", ".join(untagged[:UNTAGGED_NAMES_SHOWN])
        if len(untagged) > UNTAGGED_NAMES_SHOWN:
            names += ", …"
        problems.append(
            ngettext(
                "%(count)d ready photo is tagged to no student and is not a class photo: "
                "%(names)s.",
                "%(count)d ready photos are tagged to no student and are not class photos: "
                "%(names)s.",
                len(untagged),
            )
            % {"count": len(untagged), "names": names}
        )
    return problems
