from django.dispatch import receiver

from studio.parents.signals import parent_signed_in

from .services import cart_merge_into_account


@receiver(parent_signed_in, dispatch_uid="storefront.merge_cart")
def merge_cart_at_sign_in(sender, parent, request, **kwargs):
    """What the visitor put in the cart before signing in stays in the account's cart."""
    cart_merge_into_account(session=request.session, parent=parent)
