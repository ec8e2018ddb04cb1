import pytest
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.services import shoot_create


@pytest.fixture(autouse=True)
def _media(media_in_tmp):
    return media_in_tmp


@pytest.fixture
def production(alpha):
    """alpha's school with a class of two students, a picture day and one user per role."""
    with schema_context(alpha.schema):
        school = School.objects.create(name="School No. 5")
        school_class = SchoolClass.objects.create(
            school=school, name="11A", school_year="2026-2027"
        )
        anna = Student.objects.create(
            school_class=school_class, first_name="Anna", last_name="Ivanova", external_id="A17"
        )
        boris = Student.objects.create(
            school_class=school_class, first_name="Boris", last_name="Petrov", external_id="B02"
        )
        users = {
            role: User.objects.create_user(
                email=f"{role}-p@alpha.test", password="pw-123456", role=role
            )
            for role in Role.values
        }
        outsider = User.objects.create_user(
            email="other-photographer@alpha.test", password="pw-123456", role=Role.PHOTOGRAPHER
        )
        shoot = shoot_create(
            school=school,
            name="Autumn 2026",
            date="2026-10-01",
            photographers=[users[Role.PHOTOGRAPHER]],
        )
    return {
        "studio": alpha,
        "school": school,
        "class": school_class,
        "anna": anna,
        "boris": boris,
        "shoot": shoot,
        "users": users,
        "outsider": outsider,
    }
