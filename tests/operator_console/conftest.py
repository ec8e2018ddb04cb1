import pytest

from saas_platform.accounts.models import User
from tests.conftest import host_client
from tests.studio.payments.conftest import stripe_on  # noqa: F401


@pytest.fixture
def operator(db):
    return User.objects.create_user(
        email="op@pictureday.test",
        password="op-secret-123",
        full_name="Olga Operator",
        is_staff=True,
    )


@pytest.fixture
def console(operator):
    """A client on the bare domain, logged in as a platform operator."""
    client = host_client("localhost")
    client.force_login(operator)
    return client
