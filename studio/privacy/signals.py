"""The privacy app's domain events."""

from django.dispatch import Signal

# A child's consent to publish changed (``student_id``, ``school_class_id``, ``shoot_ids``),
# sent after commit. The storefront forgets the galleries' cached photo ids, so a withdrawal
# hides the child on the next request.
publish_consent_changed = Signal()

# A child was erased (``student_id``, ``school_class_id``, ``shoot_ids``), after commit.
child_erased = Signal()
