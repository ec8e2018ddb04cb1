"""``{% load policy_tags %}{% if user|may:"view_studio_reports" %}``: templates ask the same
policy as views, so a link shows exactly to those the page lets in."""

from django import template

from studio.core.policy import Action
from studio.core.policy import may as policy_may

register = template.Library()


@register.filter
def may(user, action: str) -> bool:
    return policy_may(user, Action(action))
