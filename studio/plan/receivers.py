"""What the studio's figures do when something happens on the platform."""

from django.dispatch import receiver

from tenants.signals import studio_signed_up

from .tasks import sales_snapshot_collect_for_studio, usage_collect_for_studio


@receiver(studio_signed_up, dispatch_uid="studio.plan.collect_at_signup")
def collect_figures_at_signup(sender, studio, **kwargs):
    """Sent after the sign-up committed: gather the new studio's usage and sales figures once
    now, so the console and the limits do not wait for the next periodic run."""
    usage_collect_for_studio.apply_async(args=[studio.pk], schema=studio.schema_name)
    sales_snapshot_collect_for_studio.apply_async(args=[studio.pk], schema=studio.schema_name)
