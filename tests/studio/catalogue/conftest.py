import pytest

from studio.catalogue.services.products import product_create
from studio.schools.models import School
from studio.shoots.services import shoot_create


@pytest.fixture
def school(in_alpha):
    return School.objects.create(name="Oak Primary")


@pytest.fixture
def shoot(school):
    return shoot_create(school=school, name="Spring", date="2027-03-01")


@pytest.fixture
def catalogue(in_alpha):
    return {
        "digital": product_create(kind="digital", name="Digital file"),
        "print": product_create(kind="print", name="Print 10x15", print_size="10x15"),
        "big": product_create(kind="print", name="Print 20x30", print_size="20×30"),
        "album": product_create(kind="album", name="Photo book"),
    }
