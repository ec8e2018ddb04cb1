"""What a parent may see: only what the access codes opened in this browser open."""

from dataclasses import dataclass, field

from django.db.models import Q

from studio.access.models import AccessCodeKind
from studio.access.selectors import access_codes_in_session
from studio.photos.models import Photo, PhotoStatus


@dataclass
class GallerySection:
    title_kind: str  # "child" or "class"
    name: str
    shoot_name: str
    photos: list = field(default_factory=list)


def _visible(photos):
    """Ready photos only, never one showing a child whose family asked not to publish."""
    return photos.filter(status=PhotoStatus.READY).exclude(students__do_not_publish=True)


def gallery_photos_q(code) -> Q:
    if code.kind == AccessCodeKind.STUDENT:
        return Q(shoot_id=code.shoot_id, students=code.student_id)
    return Q(shoot_id=code.shoot_id, school_class_id=code.school_class_id, is_group=True)


def gallery_sections(*, session) -> list[GallerySection]:
    """One section per opened code: the child's own photos, then each class's group photos
    (a class is listed once, whichever codes opened it)."""
    sections, classes_done = [], set()
    for code in access_codes_in_session(session=session):
        if code.kind == AccessCodeKind.STUDENT:
            if code.student.do_not_publish:
                continue
            section = GallerySection("child", code.student.full_name, code.shoot.name)
        else:
            section = GallerySection("class", code.school_class.name, code.shoot.name)
        key = (code.kind, code.shoot_id, code.student_id or code.school_class_id)
        if key in classes_done:
            continue
        classes_done.add(key)
        # no DISTINCT: one child's tags or one class's group photos never repeat a photo
        photos = _visible(Photo.objects.filter(gallery_photos_q(code)))
        section.photos = list(photos.order_by("original_name", "id"))
        sections.append(section)
        class_key = (AccessCodeKind.CLASS, code.shoot_id, code.school_class_id)
        if code.kind == AccessCodeKind.STUDENT and class_key not in classes_done:
            classes_done.add(class_key)
            group = _visible(
                Photo.objects.filter(
                    shoot_id=code.shoot_id, school_class_id=code.school_class_id, is_group=True
                )
            )
            sections.append(
                GallerySection(
                    "class",
                    code.school_class.name,
                    code.shoot.name,
                    list(group.order_by("original_name", "id")),
                )
            )
    return sections


def gallery_photo(*, session, photo_id: int) -> Photo | None:
    """The photo if one of the opened codes shows it; otherwise None (whatever the id)."""
    codes = access_codes_in_session(session=session)
    if not codes:
        return None
    allowed = Q(pk__in=[])
    for code in codes:
        if code.kind == AccessCodeKind.STUDENT and code.student.do_not_publish:
            continue
        allowed |= gallery_photos_q(code)
        if code.kind == AccessCodeKind.STUDENT:
            allowed |= Q(
                shoot_id=code.shoot_id, school_class_id=code.school_class_id, is_group=True
            )
    return _visible(Photo.objects.filter(allowed).filter(pk=photo_id)).distinct().first()
