"""What every form-backed view shares."""

from django.core.exceptions import ValidationError


def form_add_errors(form, error: ValidationError) -> None:
    """A service's ValidationError onto the form: on the fields it names (when the form has
    them), the rest above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
