"""Schools, classes and students: every write goes through here.

Services take keyword arguments, run in one transaction and raise ``ValidationError`` (keyed
by field name where a field is to blame) when the data would break a rule.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from saas_platform.accounts.models import Role, User
from saas_platform.versions import versions_bump
from studio.core.deletion import delete_or_refuse
from studio.core.limits import check_schools
from tenants.selectors import current_studio

from .models import School, SchoolClass, Student
from .roster import (
    RosterPreview,
    RowAction,
    clean_cell,
    invalid_emails,
    parse_school_year,
    phones_e164,
    roster_plan,
)

MIN_COMMISSION = Decimal("0")
MAX_COMMISSION = Decimal("100")


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _model_errors(instance, *, exclude=()) -> dict[str, list[str]]:
    try:
        instance.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as error:
        return {key: list(messages) for key, messages in error.message_dict.items()}
    return {}


# --- schools -------------------------------------------------------------------------------


def _check_school(school: School, principals: list[User] | None) -> None:
    errors = _model_errors(school)
    commission = school.commission_percent
    if (
        "commission_percent" not in errors
        and commission is not None
        and not MIN_COMMISSION <= Decimal(commission) <= MAX_COMMISSION
    ):
        errors["commission_percent"] = [_("The commission must be between 0 and 100%.")]
    if principals is not None:
        wrong = [user.email for user in principals if user.role != Role.PRINCIPAL]
        if wrong:
            errors["principals"] = [
                _("Not principals of this studio: %(emails)s.") % {"emails": ", ".join(wrong)}
            ]
    _raise_if(errors)


@transaction.atomic
def school_create(
    *,
    name: str,
    address: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    commission_percent: Decimal = MIN_COMMISSION,
    principals: Iterable[User] = (),
) -> School:
    check_schools(existing=School.objects.count())
    principals = list(principals)
    school = School(
        name=clean_cell(name),
        address=(address or "").strip(),
        contact_email=(contact_email or "").strip(),
        contact_phone=clean_cell(contact_phone or ""),
        commission_percent=commission_percent,
    )
    _check_school(school, principals)
    school.save()
    school.principals.set(principals)
    return school


@transaction.atomic
def school_update(
    *,
    school: School,
    name: str | None = None,
    address: str | None = None,
    contact_email: str | None = None,
    contact_phone: str | None = None,
    commission_percent: Decimal | None = None,
    principals: Iterable[User] | None = None,
) -> School:
    """Arguments left as None keep their value."""
    school = School.objects.select_for_update().get(pk=school.pk)
    if name is not None:
        school.name = clean_cell(name)
    if address is not None:
        school.address = address.strip()
    if contact_email is not None:
        school.contact_email = contact_email.strip()
    if contact_phone is not None:
        school.contact_phone = clean_cell(contact_phone)
    if commission_percent is not None:
        school.commission_percent = commission_percent
    principals = None if principals is None else list(principals)
    _check_school(school, principals)
    school.save()
    if principals is not None:
        school.principals.set(principals)
    return school


def _delete(instance) -> None:
    """Deletes ``instance``, or refuses naming the kinds of records that still refer to it."""
    delete_or_refuse(
        instance, _("It cannot be deleted while other records refer to it: %(kinds)s.")
    )
    versions_bump("gallery", "withdrawn")  # a school, class or child parents may have seen


@transaction.atomic
def school_delete(*, school: School, with_classes: bool = False) -> None:
    """A school that has classes is deleted, with its classes and students, only when
    ``with_classes`` confirms it."""
    school = School.objects.select_for_update().get(pk=school.pk)
    if school.classes.exists() and not with_classes:
        raise ValidationError(
            _("The school has classes; confirm deleting it with its classes and students."),
            code="has_classes",
        )
    _delete(school)


# --- classes -------------------------------------------------------------------------------


def _check_school_class(school_class: SchoolClass) -> None:
    errors = _model_errors(school_class, exclude=["school"])
    if not school_class.school_year:
        errors["school_year"] = [
            _("Enter the school year as YYYY-YYYY with consecutive years, e.g. %(example)s.")
            % {"example": "2026-2027"}
        ]
    elif "name" not in errors:
        taken = SchoolClass.objects.filter(
            school_id=school_class.school_id,
            school_year=school_class.school_year,
            name__iexact=school_class.name,
        ).exclude(pk=school_class.pk)
        if taken.exists():
            errors["name"] = [
                _("This school already has class %(name)s in %(year)s.")
                % {"name": school_class.name, "year": school_class.school_year}
            ]
    _raise_if(errors)


@transaction.atomic
def school_class_create(
    *, school: School, name: str, school_year: str, teacher: str = ""
) -> SchoolClass:
    school = School.objects.select_for_update().get(pk=school.pk)  # one writer of its classes
    school_class = SchoolClass(
        school=school,
        name=clean_cell(name),
        school_year=parse_school_year(school_year) or "",
        teacher=clean_cell(teacher or ""),
    )
    _check_school_class(school_class)
    school_class.save()
    return school_class


@transaction.atomic
def school_class_update(
    *,
    school_class: SchoolClass,
    name: str | None = None,
    school_year: str | None = None,
    teacher: str | None = None,
) -> SchoolClass:
    School.objects.select_for_update().get(pk=school_class.school_id)
    school_class = SchoolClass.objects.get(pk=school_class.pk)
    if name is not None:
        school_class.name = clean_cell(name)
    if school_year is not None:
        school_class.school_year = parse_school_year(school_year) or ""
    if teacher is not None:
        school_class.teacher = clean_cell(teacher)
    _check_school_class(school_class)
    school_class.save()
    versions_bump("gallery")  # the galleries show the class's name
    return school_class


@transaction.atomic
def school_class_delete(*, school_class: SchoolClass, with_students: bool = False) -> None:
    school_class = SchoolClass.objects.select_for_update().get(pk=school_class.pk)
    if school_class.students.exists() and not with_students:
        raise ValidationError(
            _("The class has students; confirm deleting it with its students."),
            code="has_students",
        )
    _delete(school_class)


# --- students ------------------------------------------------------------------------------


def _normalise_list(values: Iterable[str], *, lower: bool = False) -> list[str]:
    cleaned = [clean_cell(value) for value in values]
    cleaned = [value.lower() if lower else value for value in cleaned if value]
    return list(dict.fromkeys(cleaned))


def _phones(phones: Iterable[str]) -> tuple[list[str], list[str]]:
    """Parents' phones in E.164, numbers without a country code read as the studio's
    country's (as the roster import reads them), and those that are no number, with why."""
    return phones_e164(_normalise_list(phones), current_studio().country)


def _check_student(student: Student, *, school_id: int, bad_phones: list[str] = ()) -> None:
    errors = _model_errors(student, exclude=["school_class", "parent_emails", "parent_phones"])
    if student.school_class.school_id != school_id:
        errors["school_class"] = [_("Choose a class of this student’s school.")]
    bad_emails = invalid_emails(student.parent_emails)
    if bad_emails:
        errors["parent_emails"] = [
            _("Not valid e-mail addresses: %(values)s.") % {"values": ", ".join(bad_emails)}
        ]
    if bad_phones:
        errors["parent_phones"] = [
            _("Not valid phone numbers: %(values)s.") % {"values": ", ".join(bad_phones)}
        ]
    if student.external_id and "external_id" not in errors:
        taken = Student.objects.filter(
            school_class__school_id=school_id, external_id=student.external_id
        ).exclude(pk=student.pk)
        if taken.exists():
            errors["external_id"] = [
                _("Another student of this school has external id %(value)s.")
                % {"value": student.external_id}
            ]
    _raise_if(errors)


@transaction.atomic
def student_create(
    *,
    school_class: SchoolClass,
    first_name: str,
    last_name: str,
    external_id: str = "",
    parent_emails: Iterable[str] = (),
    parent_phones: Iterable[str] = (),
    do_not_publish: bool = False,
) -> Student:
    School.objects.select_for_update().get(pk=school_class.school_id)  # external ids per school
    student = Student(
        school_class=school_class,
        first_name=clean_cell(first_name),
        last_name=clean_cell(last_name),
        external_id=clean_cell(external_id or ""),
        parent_emails=_normalise_list(parent_emails, lower=True),
        do_not_publish=do_not_publish,
    )
    student.parent_phones, bad_phones = _phones(parent_phones)
    _check_student(student, school_id=school_class.school_id, bad_phones=bad_phones)
    student.save()
    return student


@transaction.atomic
def student_update(
    *,
    student: Student,
    school_class: SchoolClass | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    external_id: str | None = None,
    parent_emails: Iterable[str] | None = None,
    parent_phones: Iterable[str] | None = None,
    do_not_publish: bool | None = None,
) -> Student:
    """Arguments left as None keep their value. A student moves only between classes of
    their school."""
    student = Student.objects.select_related("school_class").get(pk=student.pk)
    school_id = student.school_class.school_id
    School.objects.select_for_update().get(pk=school_id)
    if school_class is not None:
        student.school_class = school_class
    if first_name is not None:
        student.first_name = clean_cell(first_name)
    if last_name is not None:
        student.last_name = clean_cell(last_name)
    if external_id is not None:
        student.external_id = clean_cell(external_id)
    if parent_emails is not None:
        student.parent_emails = _normalise_list(parent_emails, lower=True)
    bad_phones = []
    if parent_phones is not None:
        student.parent_phones, bad_phones = _phones(parent_phones)
    if do_not_publish is not None:
        student.do_not_publish = do_not_publish
    _check_student(student, school_id=school_id, bad_phones=bad_phones)
    student.save()
    # the galleries show the child's name and class, and none of a hidden child's photos
    versions_bump("gallery", *(["withdrawn"] if student.do_not_publish else []))
    return student


@transaction.atomic
def student_delete(*, student: Student) -> None:
    _delete(Student.objects.get(pk=student.pk))


# --- roster import -------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    skipped: int
    classes_created: int


@transaction.atomic
def roster_import(*, school: School, preview: RosterPreview) -> ImportResult:
    """Apply the valid rows of ``preview`` to ``school``: classes are created as needed,
    students created or updated as ``roster_plan`` says (planned again here, inside the
    transaction, with the school locked). Rows with errors are skipped."""
    if preview.errors:
        raise ValidationError(preview.errors, code="invalid_file")
    school = School.objects.select_for_update().get(pk=school.pk)
    plans = roster_plan(school=school, preview=preview)

    new_classes: dict[tuple[str, str], SchoolClass] = {}

    def class_for(plan) -> SchoolClass:
        if plan.school_class is not None:
            return plan.school_class
        key = plan.row.class_key
        if key not in new_classes:
            new_classes[key] = SchoolClass.objects.create(
                school=school, name=plan.row.class_name, school_year=plan.row.school_year
            )
        return new_classes[key]

    to_create, to_update = [], []
    for plan in plans:
        row = plan.row
        if plan.action == RowAction.CREATE:
            to_create.append(
                Student(
                    school_class=class_for(plan),
                    first_name=row.first_name,
                    last_name=row.last_name,
                    external_id=row.external_id,
                    parent_emails=list(row.emails),
                    parent_phones=list(row.phones),
                )
            )
        elif plan.action == RowAction.UPDATE:
            student = plan.student
            student.school_class = class_for(plan)
            student.first_name, student.last_name = row.first_name, row.last_name
            if row.external_id:
                student.external_id = row.external_id
            if row.emails:
                student.parent_emails = list(row.emails)
            if row.phones:
                student.parent_phones = list(row.phones)
            to_update.append(student)

    Student.objects.bulk_create(to_create, batch_size=500)
    fields = ["school_class", "first_name", "last_name", "external_id"]
    Student.objects.bulk_update(to_update, [*fields, "parent_emails", "parent_phones"], 500)
    if to_update:
        versions_bump("gallery")  # names and classes the galleries show
    return ImportResult(
        created=len(to_create),
        updated=len(to_update),
        unchanged=sum(plan.action == RowAction.UNCHANGED for plan in plans),
        skipped=sum(plan.action == RowAction.ERROR for plan in plans),
        classes_created=len(new_classes),
    )
