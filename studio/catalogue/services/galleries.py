"""Catalogue writes the parents' galleries show (what a picture day sells and for how much)
move the studio's "gallery" version on (``saas_platform.versions``), so the next gallery page
shows them. Coupons and discounts are not shown there: the cart prices them afresh."""

import functools

from saas_platform.versions import versions_bump


def shown_in_galleries(write):
    """Bumps "gallery" once ``write`` returned (after its transaction commits)."""

    @functools.wraps(write)
    def wrapper(*args, **kwargs):
        result = write(*args, **kwargs)
        versions_bump("gallery")
        return result

    return wrapper
