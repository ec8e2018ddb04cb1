"""The access app's domain events."""

from django.dispatch import Signal

# A visitor opened a live code (``code``) on the storefront; ``user`` is who is signed in
# (maybe anonymous). Sent by the code-entry view; parents keep the code in the family.
access_code_opened = Signal()
