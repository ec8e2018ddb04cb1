"""A small studio with one record of every kind the API's paths name, for the tests that
walk every operation (schemathesis, the isolation table)."""

from saas_platform.accounts.models import Role, User
from saas_platform.accounts.services import api_token_create
from studio.access import codes
from studio.access.models import AccessCode
from studio.access.services import access_codes_issue
from studio.campaigns.models import CampaignKind, CampaignSend, MessageTemplate, Recipient
from studio.orders.models import Order
from studio.parents.models import FamilyCode
from studio.photos.models import Photo, Upload
from studio.preorders.models import PreorderLink
from studio.retouching.models import RetouchBatch
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.models import Shoot
from studio.yearbook.models import Composite, YearbookExport
from tests.conftest import push_id_sequences
from tests.studio.orders.conftest import make_shop, place_order

# Models whose ids appear in API paths (payments and uploads have UUIDs).
ID_MODELS = [
    School,
    SchoolClass,
    Student,
    Shoot,
    Photo,
    Order,
    AccessCode,
    RetouchBatch,
    User,
    MessageTemplate,
    CampaignSend,
    Recipient,
    PreorderLink,
    YearbookExport,
    Composite,
]

# The record a path id names, by the path's beginning (first match wins).
PATH_KINDS = [
    ("/api/schools/", "school"),
    ("/api/classes/", "class"),
    ("/api/students/", "student"),
    ("/api/shoots/", "shoot"),
    ("/api/photos/", "photo"),
    ("/api/uploads/", "upload"),
    ("/api/orders/", "order"),
    ("/api/payments/", "payment"),
    ("/api/access-codes/", "code"),
    ("/api/retouch/batches/", "batch"),
    ("/api/retouch/review/", "photo"),
    ("/api/parents/", "parent"),
    ("/api/pay/statements/", "photographer"),
    ("/api/commissions/schools/", "school"),
    ("/api/catalogue/", None),  # the catalogue's own records: none made here
    ("/api/campaigns/messages/", "message"),
    ("/api/campaigns/sends/", "send"),
    ("/api/campaigns/recipients/", "recipient"),
    ("/api/preorders/shoots/", "shoot"),
    ("/api/preorders/codes/", "preorder_code"),
    ("/api/preorders/credits/", None),  # a credit needs a pre-ordered package: none here
    ("/api/yearbook/deadlines/", "shoot"),
    ("/api/yearbook/exports/", "yearbook_export"),
    ("/api/yearbook/composites/", "composite"),
]


def build_world(studio, *, push_ids: bool = False) -> dict:
    """Run inside ``studio``'s schema. ``push_ids`` gives every id a value far from the
    other studio's, so an id of one names nothing in the other."""
    if push_ids:
        push_id_sequences(ID_MODELS)
    shop = make_shop()
    owner = User.objects.get(email=studio.owner_email)
    paid = place_order(shop)
    place_order(shop, paid=False, email="later@example.com")
    access_codes_issue(shoot=shop.shoot)
    parent = User.objects.create_user(email="mum-world@example.com", role=Role.PARENT)
    code = shop.shoot.access_codes.filter(student=shop.ivan).get()
    FamilyCode.objects.create(parent=parent, access_code=code)
    retoucher = User.objects.create_user(email="r-world@alpha.test", role=Role.RETOUCHER)
    photographer = User.objects.create_user(email="p-world@alpha.test", role=Role.PHOTOGRAPHER)
    batch = RetouchBatch.objects.create(shoot=shop.shoot, retoucher=retoucher)
    upload = Upload.objects.create(
        shoot=shop.shoot, file_name="x.jpg", size_bytes=10, created_by=owner
    )
    message = MessageTemplate.objects.create(
        kind=CampaignKind.REMINDER, language="en", subject="Last days", body="Order now."
    )
    send = CampaignSend.objects.create(
        shoot=shop.shoot, kind=CampaignKind.PHOTOS_ONLINE, created_by=owner
    )
    recipient = Recipient.objects.create(send=send, address="mum@example.com", language="en")
    preorder_code = PreorderLink.objects.create(
        shoot=shop.shoot, school_class=shop.class_a, code=codes.generate()
    )
    export = YearbookExport.objects.create(school=shop.school, shoot=shop.shoot, created_by=owner)
    composite = Composite.objects.create(
        shoot=shop.shoot, school_class=shop.class_a, updated_by=owner
    )
    _, raw = api_token_create(user=owner, name="every operation")
    return {
        "token": raw,
        "owner": owner,
        "ids": {
            "school": shop.school.pk,
            "class": shop.class_a.pk,
            "student": shop.ivan.pk,
            "shoot": shop.shoot.pk,
            "photo": shop.photo_ivan.pk,
            "upload": str(upload.pk),
            "order": paid.pk,
            "payment": str(paid.payments.get().pk),
            "code": code.pk,
            "batch": batch.pk,
            "parent": parent.pk,
            "photographer": photographer.pk,
            "message": message.pk,
            "send": send.pk,
            "recipient": recipient.pk,
            "preorder_code": preorder_code.pk,
            "yearbook_export": export.pk,
            "composite": composite.pk,
        },
    }


def path_ids(path: str, names, ids: dict) -> dict | None:
    """The path's parameters filled with the world's ids; None where it has no record."""
    if not names:
        return {}
    for prefix, kind in PATH_KINDS:
        if path.startswith(prefix):
            return {name: ids[kind] for name in names} if kind else None
    raise AssertionError(f"{path}: say in PATH_KINDS which record its id names")
