from django.dispatch import receiver

from studio.shoots.signals import shoot_published, shoot_sales_deadline_changed

from .services import access_codes_issue, access_codes_sync_expiry


@receiver(shoot_published, dispatch_uid="access.issue_codes")
def issue_codes_when_published(sender, shoot, **kwargs):
    access_codes_issue(shoot=shoot)  # every child and class gets a code when sales open


@receiver(shoot_sales_deadline_changed, dispatch_uid="access.sync_expiry")
def codes_follow_the_deadline(sender, shoot, **kwargs):
    access_codes_sync_expiry(shoot=shoot)
