"""Reading poses: the candidates for a child's yearbook portrait, the chosen one or the
automatic default, and whether parents may still choose."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from studio.photos.models import Photo, PhotoStatus
from studio.schools.models import SchoolClass, Student

from .models import Composite, Pose, YearbookExport, YearbookSettings


def portraits_q(student_id_ref) -> Q:
    """Photos that can be a child's yearbook portrait: ready, not a group photo, tagged to
    that child and to no one else (a composite is a group photo, so never one)."""
    others = Photo.students.through.objects.filter(photo_id=OuterRef("pk")).exclude(
        student_id=student_id_ref
    )
    return Q(status=PhotoStatus.READY, is_group=False, students=student_id_ref) & ~Q(Exists(others))


def portraits(*, shoot, student):
    """The child's portraits of that picture day, in the gallery's order."""
    return Photo.objects.filter(portraits_q(student.pk), shoot=shoot).order_by(
        "original_name", "id"
    )


def pose_deadline(*, shoot):
    row = YearbookSettings.objects.filter(shoot=shoot).first()
    return row.pose_deadline if row else None


def pose_locked(*, shoot, now=None) -> bool:
    """Parents may choose until the deadline; with no deadline set they may always choose."""
    deadline = pose_deadline(shoot=shoot)
    return deadline is not None and (now or timezone.now()) >= deadline


def pose_photo(*, shoot, student) -> Photo | None:
    """The chosen portrait if it is still one of the child's, else the automatic default:
    the first ready portrait of the child alone."""
    pose = Pose.objects.filter(shoot=shoot, student=student).select_related("photo").first()
    candidates = portraits(shoot=shoot, student=student)
    if pose is not None and candidates.filter(pk=pose.photo_id).exists():
        return pose.photo
    return candidates.first()


@dataclass
class ChildPoses:
    student: Student
    candidates: list = field(default_factory=list)
    chosen_id: int | None = None
    source: str = ""  # "" = the automatic default


@dataclass
class ClassPoses:
    school_class: SchoolClass
    children: list[ChildPoses] = field(default_factory=list)


def _portraits_by_child(*, shoot, student_ids=None) -> dict[int, list[Photo]]:
    """Each child's portraits of the picture day (``portraits_q``, in gallery order), read
    in two queries whatever the number of children."""
    photos = Photo.objects.filter(shoot=shoot, status=PhotoStatus.READY, is_group=False)
    if student_ids is not None:
        photos = photos.filter(students__in=list(student_ids)).distinct()
    by_child: dict[int, list[Photo]] = {}
    photos = photos.select_related("approved_version").prefetch_related("students")
    for photo in photos.order_by("original_name", "id"):
        tagged = list(photo.students.all())
        if len(tagged) == 1:
            by_child.setdefault(tagged[0].pk, []).append(photo)
    return by_child


def _child_poses(student, candidates: list[Photo], pose: Pose | None) -> ChildPoses:
    """The chosen pose if it is still one of the child's portraits, else the default."""
    child = ChildPoses(student, candidates)
    ids = [photo.pk for photo in candidates]
    if pose is not None and pose.photo_id in ids:
        child.chosen_id, child.source = pose.photo_id, pose.source
    elif ids:
        child.chosen_id = ids[0]
    return child


def shoot_poses(*, shoot) -> list[ClassPoses]:
    """Every class of the picture day's school with each child's portraits and pose, in
    four queries whatever the number of children."""
    classes = list(SchoolClass.objects.filter(school=shoot.school_id).prefetch_related("students"))
    by_child = _portraits_by_child(shoot=shoot)
    chosen = {p.student_id: p for p in Pose.objects.filter(shoot=shoot)}
    result = []
    for school_class in classes:
        group = ClassPoses(school_class)
        for student in school_class.students.all():
            group.children.append(
                _child_poses(student, by_child.get(student.pk, []), chosen.get(student.pk))
            )
        result.append(group)
    return result


def class_pose_photos(*, shoot, school_class, order=()) -> list[tuple[Student, Photo | None]]:
    """The class's children (in ``order`` first, then by name) with their pose (the photo,
    its approved version read with it), in a few queries whatever the class's size."""
    students = list(school_class.students.all())
    rank = {student_id: index for index, student_id in enumerate(order)}
    students.sort(key=lambda s: (rank.get(s.pk, len(rank)), s.last_name, s.first_name, s.pk))
    ids = [student.pk for student in students]
    by_child = _portraits_by_child(shoot=shoot, student_ids=ids)
    chosen = {p.student_id: p for p in Pose.objects.filter(shoot=shoot, student_id__in=ids)}
    result = []
    for student in students:
        candidates = by_child.get(student.pk, [])
        child = _child_poses(student, candidates, chosen.get(student.pk))
        photo = next((p for p in candidates if p.pk == child.chosen_id), None)
        result.append((student, photo))
    return result


def yearbook_exports(*, shoot=None, school=None):
    """A picture day's exports, or a school's whole-school ones (``shoot`` empty)."""
    if shoot is not None:
        return YearbookExport.objects.filter(shoot=shoot).select_related("created_by")
    return YearbookExport.objects.filter(school=school, shoot=None).select_related("created_by")


def composites(*, shoot):
    return Composite.objects.filter(shoot=shoot).select_related("school_class", "photo")
