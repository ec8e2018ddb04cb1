"""Staff pages: the studio's consent text, a child's consent (status, history, recording a
decision) and erasing a child. Thin: the work is in ``services``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from studio.core.policy import Action, may, require
from studio.schools.models import Student

from .forms import ConsentRecordForm, ConsentTextForm
from .models import ConsentSource, ConsentText
from .selectors import erasure_preview
from .services import (
    child_erase,
    consent_history,
    consent_record,
    consent_text_current,
    consent_text_publish,
)

GET_POST = ["GET", "POST"]


@login_required
@require_http_methods(GET_POST)
def consent_texts(request):
    """Owners and managers read every version; the owner publishes a new one."""
    require(request.user, Action.RECORD_CONSENT)
    can_publish = may(request.user, Action.MANAGE_STUDIO_SETTINGS)
    current = consent_text_current()
    form = ConsentTextForm(request.POST or None, initial={"body": current.body if current else ""})
    if request.method == "POST":
        require(request.user, Action.MANAGE_STUDIO_SETTINGS)
        if form.is_valid():
            text = consent_text_publish(actor=request.user, body=form.cleaned_data["body"])
            messages.success(
                request, _("Version %(version)s published.") % {"version": text.version}
            )
            return redirect("privacy:consent_texts")
    return render(
        request,
        "privacy/consent_texts.html",
        {"form": form, "texts": ConsentText.objects.all(), "can_publish": can_publish},
    )


def _student(student_id: int) -> Student:
    return get_object_or_404(Student.objects.select_related("school_class__school"), pk=student_id)


@login_required
@require_http_methods(GET_POST)
def child(request, student_id: int):
    require(request.user, Action.RECORD_CONSENT)
    student = _student(student_id)
    form = ConsentRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consent_record(
                student=student,
                decision=form.cleaned_data["decision"],
                source=ConsentSource.STAFF,
                actor=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("privacy:child", student_id=student.pk)
    return render(
        request,
        "privacy/child.html",
        {
            "student": student,
            "form": form,
            "history": consent_history(student=student),
            "text": consent_text_current(),
            "can_erase": may(request.user, Action.ERASE_CHILD),
        },
    )


@login_required
@require_http_methods(GET_POST)
def child_erase_view(request, student_id: int):
    """The confirm step (what goes, what stays), then the erasure."""
    require(request.user, Action.ERASE_CHILD)
    student = _student(student_id)
    school_class = student.school_class
    error = None
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            error = _("Tick the box to confirm.")
        else:
            child_erase(student=student, actor=request.user)
            messages.success(request, _("The child has been erased."))
            return redirect(
                "schools:class_detail", school_id=school_class.school_id, class_id=school_class.pk
            )
    return render(
        request,
        "privacy/child_erase.html",
        {"student": student, "preview": erasure_preview(student=student), "error": error},
    )
