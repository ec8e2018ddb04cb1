"""The parents app's domain events."""

from django.dispatch import Signal

# A parent signed in with the e-mailed code (``parent``, ``request``): sent by the sign-in
# view once the session holds the family's codes. The storefront merges the visitor's cart.
parent_signed_in = Signal()
