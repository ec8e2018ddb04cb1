"""The picture day's domain events. Unlike the after-commit events elsewhere, these are sent
inside the service's transaction: access codes must follow a picture day atomically (a
published gallery with no codes, or codes outliving a moved deadline, would be a bug)."""

from django.dispatch import Signal

# ``shoot`` was published: every child and class gets a code.
shoot_published = Signal()
# ``shoot``'s sales deadline or end of late orders moved: its codes expire with the later.
shoot_sales_deadline_changed = Signal()
