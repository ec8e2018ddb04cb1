"""The storefront's published picture day (Anna: anna1, anna2; Boris; a hidden child; class
photos), with a manager and a photographer of the studio."""

import pytest
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.shoots.models import Shoot
from tests.conftest import logged_in_client
from tests.studio.storefront.test_gallery import parent_with, published  # noqa: F401


@pytest.fixture
def yb(published):  # noqa: F811 - the fixture imported above
    studio = published["studio"]
    with schema_context(studio.schema):
        manager = User.objects.create_user(
            email="manager-yb@alpha.test", password="pw-123456", role=Role.MANAGER
        )
        photographer = User.objects.get(email="ph-gal@alpha.test")
        shoot = Shoot.objects.get()
        photos = published["photos"]
        anna = photos["anna1"].students.get()
        boris = photos["boris"].students.get()
    return {
        **published,
        "manager": manager,
        "photographer": photographer,
        "shoot": shoot,
        "anna": anna,
        "boris": boris,
        "staff": logged_in_client(studio, manager),
    }


def parent(yb, *names):
    return parent_with(yb, *(yb["codes"][name] for name in names))
