"""The owner's custom domains page (``/staff/settings/domains/``); the rules live in
``tenants.domains``."""
