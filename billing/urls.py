"""Billing's URLs on the bare domain: Stripe's webhook for every studio and the platform."""

from django.urls import path

from .webhooks import stripe_webhook

urlpatterns = [
    path("stripe/webhook/", stripe_webhook, name="stripe_webhook"),
]
