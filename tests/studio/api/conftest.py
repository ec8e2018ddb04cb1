import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from saas_platform.accounts.models import User
from tests.studio.orders.conftest import make_shop


def api_client(studio, user) -> APIClient:
    client = APIClient(HTTP_HOST=studio.host)
    with schema_context(studio.schema):
        client.force_login(user)
    return client


def user_with(role, tag: str = "") -> User:
    return User.objects.create_user(
        email=f"{role}{tag}-api@alpha.test", password="pw-123456", role=role
    )


@pytest.fixture
def shop(in_alpha, media_in_tmp):
    return make_shop()
