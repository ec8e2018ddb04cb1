"""The demo studio (``./dev demo``, ``manage.py seed_demo``): one login per role, a school,
a published picture day with generated photos, a price sheet and access codes. The tests
reuse its catalogue seed."""
