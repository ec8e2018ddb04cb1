"""The demo studio: one of each role, a school with two classes of students, a published
picture day to shop, a signed commission agreement and pay rules."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.schools.models import School, SchoolClass, Student
from tenants.models import Studio
from tenants.services import schema_name_for, studio_create

from .money import demo_money_seed
from .shop import demo_shop_seed

DEMO_SLUG = "demo"
DEMO_PASSWORD = "pictureday-demo"
DEMO_BANK_DETAILS = "Demo Photo Studio Ltd\nIBAN DE89 3704 0044 0532 0130 00\nBIC COBADEFFXXX"
DEMO_PEOPLE = [
    (Role.OWNER, "owner@demo.pictureday.test", "Olga Owner"),
    (Role.MANAGER, "manager@demo.pictureday.test", "Maxim Manager"),
    (Role.PHOTOGRAPHER, "photographer@demo.pictureday.test", "Pavel Photographer"),
    (Role.RETOUCHER, "retoucher@demo.pictureday.test", "Rita Retoucher"),
    (Role.PRINCIPAL, "principal@demo.pictureday.test", "Irina Principal"),
]
DEMO_CLASSES = {
    "11A": ["Anna Ivanova", "Boris Petrov", "Vera Smirnova", "Gleb Kuznetsov", "Daria Popova"],
    "11B": ["Egor Sokolov", "Zoya Lebedeva", "Ilya Kozlov", "Kira Novikova", "Lev Morozov"],
}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


@transaction.atomic
def demo_studio_seed() -> tuple[Studio, list[DemoLogin]]:
    """Creates the demo studio, or tops it up if it exists (idempotent)."""
    owner_role, owner_email, owner_name = DEMO_PEOPLE[0]
    studio = Studio.objects.filter(slug=DEMO_SLUG).first()
    if studio is None:
        studio = studio_create(
            name="Demo Photo Studio",
            slug=DEMO_SLUG,
            owner_email=owner_email,
            owner_name=owner_name,
            owner_password=DEMO_PASSWORD,
        ).studio
    if not studio.bank_details:
        # bank transfer is offered only with the details to pay to
        Studio.objects.filter(pk=studio.pk).update(bank_details=DEMO_BANK_DETAILS)
    with schema_context(schema_name_for(DEMO_SLUG)):
        people = {}
        for role, email, name in DEMO_PEOPLE:
            user = User.objects.filter(email=email).first() or User(email=email)
            user.full_name, user.role, user.is_active = name, role, True
            user.set_password(DEMO_PASSWORD)
            user.save()
            people[role] = user
        school, _ = School.objects.get_or_create(
            name="School No. 17",
            defaults={"address": "12 Garden Street", "commission_percent": Decimal("10.00")},
        )
        school.principals.add(people[Role.PRINCIPAL])
        for class_name, students in DEMO_CLASSES.items():
            school_class, _ = SchoolClass.objects.get_or_create(
                school=school, name=class_name, school_year="2026-2027"
            )
            for number, full_name in enumerate(students, start=1):
                first, last = full_name.split()
                Student.objects.get_or_create(
                    school_class=school_class,
                    external_id=f"{class_name}-{number:02d}",
                    defaults={"first_name": first, "last_name": last},
                )
        code = demo_shop_seed(school=school)
        demo_money_seed(school=school, owner=people[Role.OWNER])
    logins = [DemoLogin(role, email, DEMO_PASSWORD) for role, email, _ in DEMO_PEOPLE]
    parent = DemoLogin("parent", code.student.full_name, code.display)
    return studio, [*logins, parent]
