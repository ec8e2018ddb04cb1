"""The studio's own side of its plan: the owner's billing page, the plan's limits checked by
the services that create what they count, and the figures the studio reports to the platform
(usage and sales, written into public-schema rows the operator console reads)."""
