"""Staff pages for schools, classes, students and roster import. Thin: the policy says who,
selectors read, forms validate, services write.

Reading needs ``VIEW_SCHOOL_REPORT`` (owners, managers, principals) and the school among
``schools_visible_to`` the user (404 otherwise, as if it did not exist); writing needs
``MANAGE_SCHOOLS`` (owners, managers), checked before anything is looked up.
"""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from saas_platform.forms import form_add_errors
from studio.core.policy import Action, may, require
from tenants.countries import country_defaults

from . import selectors, services
from .forms import RosterUploadForm, SchoolClassForm, SchoolForm, StudentForm
from .roster import (
    MAX_BYTES,
    MAX_ROWS,
    column_help,
    current_school_year,
    plan_summary,
    roster_parse,
    roster_parse_text,
    roster_plan,
)

GET_POST = ["GET", "POST"]
ROSTER_SESSION_KEY = "schools.roster.%s"


# --- helpers -------------------------------------------------------------------------------


def _school(request, school_id: int, *, write: bool = False):
    if write:
        require(request.user, Action.MANAGE_SCHOOLS)
    require(request.user, Action.VIEW_SCHOOL_REPORT)
    school = selectors.school_get(user=request.user, school_id=school_id)
    if school is None:
        raise Http404
    require(request.user, Action.VIEW_SCHOOL_REPORT, school)
    return school


def _school_class(request, school_id: int, class_id: int, *, write: bool = False):
    school = _school(request, school_id, write=write)
    school_class = selectors.school_class_get(school=school, class_id=class_id)
    if school_class is None:
        raise Http404
    return school, school_class


def _student(request, school_id: int, class_id: int, student_id: int):
    school, school_class = _school_class(request, school_id, class_id, write=True)
    student = selectors.student_get(school_class=school_class, student_id=student_id)
    if student is None:
        raise Http404
    return school, school_class, student


# --- schools -------------------------------------------------------------------------------


@login_required
def school_list(request):
    require(request.user, Action.VIEW_SCHOOL_REPORT)
    return render(
        request,
        "schools/school_list.html",
        {
            "schools": selectors.school_list(user=request.user),
            "can_manage": may(request.user, Action.MANAGE_SCHOOLS),
        },
    )


@login_required
@require_http_methods(GET_POST)
def school_create(request):
    require(request.user, Action.MANAGE_SCHOOLS)
    form = SchoolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            school = services.school_create(**form.cleaned_data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("School “%(name)s” added.") % {"name": school.name})
            return redirect("schools:detail", school_id=school.pk)
    return render(request, "schools/school_form.html", {"form": form, "school": None})


@login_required
def school_detail(request, school_id: int):
    school = _school(request, school_id)
    return render(
        request,
        "schools/school_detail.html",
        {
            "school": school,
            "classes": selectors.school_class_list(school=school),
            "principals": list(school.principals.order_by("full_name", "email")),
            "can_manage": may(request.user, Action.MANAGE_SCHOOLS),
        },
    )


@login_required
@require_http_methods(GET_POST)
def school_edit(request, school_id: int):
    school = _school(request, school_id, write=True)
    form = SchoolForm(request.POST or None, school=school, initial=SchoolForm.initial_for(school))
    if request.method == "POST" and form.is_valid():
        try:
            school = services.school_update(school=school, **form.cleaned_data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("School “%(name)s” saved.") % {"name": school.name})
            return redirect("schools:detail", school_id=school.pk)
    return render(request, "schools/school_form.html", {"form": form, "school": school})


@login_required
@require_http_methods(GET_POST)
def school_delete(request, school_id: int):
    """GET asks; POST deletes a school without classes, or with them when confirmed."""
    school = _school(request, school_id, write=True)
    error = None
    if request.method == "POST":
        try:
            services.school_delete(school=school, with_classes=request.POST.get("confirm") == "yes")
        except ValidationError as exc:
            error = exc if exc.code != "has_classes" else None
        else:
            messages.success(request, _("School “%(name)s” deleted.") % {"name": school.name})
            return redirect("schools:list")
    return render(
        request,
        "schools/school_confirm_delete.html",
        {"school": school, "counts": selectors.school_counts(school=school), "error": error},
    )


# --- classes -------------------------------------------------------------------------------


@login_required
@require_http_methods(GET_POST)
def class_create(request, school_id: int):
    school = _school(request, school_id, write=True)
    form = SchoolClassForm(request.POST or None, initial={"school_year": current_school_year()})
    if request.method == "POST" and form.is_valid():
        try:
            school_class = services.school_class_create(school=school, **form.cleaned_data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Class %(name)s added.") % {"name": school_class})
            return redirect("schools:detail", school_id=school.pk)
    context = {"form": form, "school": school, "school_class": None}
    return render(request, "schools/class_form.html", context)


@login_required
def class_detail(request, school_id: int, class_id: int):
    school, school_class = _school_class(request, school_id, class_id)
    return render(
        request,
        "schools/class_detail.html",
        {
            "school": school,
            "school_class": school_class,
            "students": selectors.student_list(school_class=school_class),
            "can_manage": may(request.user, Action.MANAGE_SCHOOLS),
        },
    )


@login_required
@require_http_methods(GET_POST)
def class_edit(request, school_id: int, class_id: int):
    school, school_class = _school_class(request, school_id, class_id, write=True)
    initial = {
        "name": school_class.name,
        "school_year": school_class.school_year,
        "teacher": school_class.teacher,
    }
    form = SchoolClassForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            school_class = services.school_class_update(
                school_class=school_class, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Class %(name)s saved.") % {"name": school_class})
            return redirect("schools:class_detail", school_id=school.pk, class_id=school_class.pk)
    context = {"form": form, "school": school, "school_class": school_class}
    return render(request, "schools/class_form.html", context)


@login_required
@require_http_methods(GET_POST)
def class_delete(request, school_id: int, class_id: int):
    school, school_class = _school_class(request, school_id, class_id, write=True)
    error = None
    if request.method == "POST":
        try:
            services.school_class_delete(
                school_class=school_class, with_students=request.POST.get("confirm") == "yes"
            )
        except ValidationError as exc:
            error = exc if exc.code != "has_students" else None
        else:
            messages.success(request, _("Class %(name)s deleted.") % {"name": school_class})
            return redirect("schools:detail", school_id=school.pk)
    context = {
        "school": school,
        "school_class": school_class,
        "student_count": school_class.students.count(),
        "error": error,
    }
    return render(request, "schools/class_confirm_delete.html", context)


# --- students ------------------------------------------------------------------------------


@login_required
@require_http_methods(GET_POST)
def student_create(request, school_id: int, class_id: int):
    school, school_class = _school_class(request, school_id, class_id, write=True)
    form = StudentForm(request.POST or None, school=school, initial={"school_class": school_class})
    if request.method == "POST" and form.is_valid():
        try:
            student = services.student_create(**form.cleaned_data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Student %(name)s added.") % {"name": student.full_name})
            if "add_another" in request.POST:
                return redirect(
                    "schools:student_create", school_id=school.pk, class_id=student.school_class_id
                )
            return redirect(
                "schools:class_detail", school_id=school.pk, class_id=student.school_class_id
            )
    context = {"form": form, "school": school, "school_class": school_class, "student": None}
    return render(request, "schools/student_form.html", context)


@login_required
@require_http_methods(GET_POST)
def student_edit(request, school_id: int, class_id: int, student_id: int):
    school, school_class, student = _student(request, school_id, class_id, student_id)
    form = StudentForm(
        request.POST or None, school=school, initial=StudentForm.initial_for(student)
    )
    if request.method == "POST" and form.is_valid():
        try:
            student = services.student_update(student=student, **form.cleaned_data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Student %(name)s saved.") % {"name": student.full_name})
            return redirect(
                "schools:class_detail", school_id=school.pk, class_id=student.school_class_id
            )
    context = {"form": form, "school": school, "school_class": school_class, "student": student}
    return render(request, "schools/student_form.html", context)


@login_required
@require_http_methods(GET_POST)
def student_delete(request, school_id: int, class_id: int, student_id: int):
    school, school_class, student = _student(request, school_id, class_id, student_id)
    error = None
    if request.method == "POST":
        try:
            services.student_delete(student=student)
        except ValidationError as exc:
            error = exc
        else:
            messages.success(request, _("Student %(name)s deleted.") % {"name": student.full_name})
            return redirect("schools:class_detail", school_id=school.pk, class_id=class_id)
    context = {"school": school, "school_class": school_class, "student": student, "error": error}
    return render(request, "schools/student_confirm_delete.html", context)


# --- roster import -------------------------------------------------------------------------


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _country_name(code: str) -> str:
    defaults = country_defaults(code)
    return str(defaults.name) if defaults else (code or "").upper()


@login_required
@require_http_methods(GET_POST)
def roster_upload(request, school_id: int):
    """Step 1: upload. The decoded text is kept in the session (never sent back to the
    browser); the preview page parses it again."""
    school = _school(request, school_id, write=True)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    file_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        preview = roster_parse(upload.read(), region=request.tenant.country)
        file_errors = preview.errors
        if not file_errors:
            request.session[ROSTER_SESSION_KEY % school.pk] = {
                "text": preview.text,
                "digest": _digest(preview.text),
                "filename": upload.name[:200],
            }
            return redirect("schools:import_preview", school_id=school.pk)
    context = {
        "school": school,
        "form": form,
        "file_errors": file_errors,
        "current_year": current_school_year(),
        "max_rows": MAX_ROWS,
        "max_megabytes": MAX_BYTES // 1024**2,
        "columns": column_help(),
        "phone_country": _country_name(request.tenant.country),
    }
    return render(request, "schools/roster_upload.html", context)


@login_required
@require_http_methods(GET_POST)
def roster_preview(request, school_id: int):
    """Step 1's result (GET, writes nothing) and step 2 (POST: import the valid rows)."""
    school = _school(request, school_id, write=True)
    session_key = ROSTER_SESSION_KEY % school.pk
    stored = request.session.get(session_key)
    if not stored:
        messages.error(request, _("Upload the roster file first."))
        return redirect("schools:import", school_id=school.pk)
    preview = roster_parse_text(stored["text"], region=request.tenant.country)
    if preview.errors:  # cannot happen for what step 1 stored, but never import it
        del request.session[session_key]
        messages.error(request, " ".join(preview.errors))
        return redirect("schools:import", school_id=school.pk)

    if request.method == "POST":
        if request.POST.get("digest") != stored["digest"]:
            messages.error(
                request, _("Another file was uploaded meanwhile; check its preview and confirm.")
            )
            return redirect("schools:import_preview", school_id=school.pk)
        result = services.roster_import(school=school, preview=preview)
        del request.session[session_key]
        messages.success(
            request,
            _(
                "Roster imported. Created: %(created)s, updated: %(updated)s, "
                "unchanged: %(unchanged)s, skipped with errors: %(skipped)s, "
                "new classes: %(classes)s."
            )
            % {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "skipped": result.skipped,
                "classes": result.classes_created,
            },
        )
        return redirect("schools:detail", school_id=school.pk)

    plans = roster_plan(school=school, preview=preview)
    return render(
        request,
        "schools/roster_preview.html",
        {
            "school": school,
            "filename": stored.get("filename", ""),
            "digest": stored["digest"],
            "preview": preview,
            "plans": plans,
            "summary": plan_summary(plans),
            "error_messages": [message for plan in plans for message in plan.messages],
        },
    )


@login_required
@require_POST
def roster_discard(request, school_id: int):
    school = _school(request, school_id, write=True)
    request.session.pop(ROSTER_SESSION_KEY % school.pk, None)
    return redirect("schools:detail", school_id=school.pk)
