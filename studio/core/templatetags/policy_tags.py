"""The policy in templates: ``{% if user|may:"view_staff_pay" %}``, so a link shows exactly
when its page would let the person in."""

from django import template

from studio.core.policy import Action
from studio.core.policy import may as policy_may

register = template.Library()


@register.filter
def may(user, action: str) -> bool:
    return policy_may(user, Action(action))
