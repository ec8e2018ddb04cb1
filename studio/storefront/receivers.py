from django.dispatch import receiver

from studio.parents.signals import parent_signed_in
from studio.privacy.signals import child_erased, publish_consent_changed

from .selectors import gallery_forget
from .services import cart_merge_into_account


@receiver(parent_signed_in, dispatch_uid="storefront.merge_cart")
def merge_cart_at_sign_in(sender, parent, request, **kwargs):
    """What the visitor put in the cart before signing in stays in the account's cart."""
    cart_merge_into_account(session=request.session, parent=parent)


@receiver(publish_consent_changed, dispatch_uid="storefront.forget_gallery_on_consent")
@receiver(child_erased, dispatch_uid="storefront.forget_gallery_on_erasure")
def forget_child_galleries(sender, student_id, school_class_id, shoot_ids, **kwargs):
    """The galleries' cached photo ids of the child and their class: a withdrawn or erased
    child is gone from the next page."""
    for shoot_id in shoot_ids:
        gallery_forget(shoot_id=shoot_id, student_id=student_id, school_class_id=school_class_id)
