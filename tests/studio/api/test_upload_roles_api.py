"""Found by the table test: uploads asked the role only after reading the body or the
record, so a retoucher-scoped token of the owner read the owner's uploads, and principals
and parents got 400/404 where 403 is the answer."""

from saas_platform.accounts.models import Role, User
from saas_platform.accounts.services import api_token_create
from studio.photos.models import Upload
from tests.studio.orders.conftest import make_shop

from .conftest import api_client, user_with


def test_a_retoucher_token_of_the_owner_cannot_read_the_owners_uploads(
    alpha, in_alpha, media_in_tmp
):
    owner = User.objects.get(email=alpha.owner_email)
    shoot = make_shop().shoot
    upload = Upload.objects.create(shoot=shoot, file_name="x.jpg", size_bytes=10, created_by=owner)
    _, raw = api_token_create(user=owner, name="retouch tool", role=Role.RETOUCHER)
    client = api_client(alpha, owner)
    client.logout()

    as_retoucher = client.get(f"/api/uploads/{upload.pk}/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    as_owner = api_client(alpha, owner).get(f"/api/uploads/{upload.pk}/")

    assert as_retoucher.status_code == 403
    assert as_owner.status_code == 200


def test_roles_that_never_upload_are_refused_before_their_body_is_read(
    alpha, in_alpha, media_in_tmp
):
    shoot = make_shop().shoot
    for role in (Role.PRINCIPAL, Role.PARENT, Role.RETOUCHER):
        client = api_client(alpha, user_with(role))
        assert client.post("/api/uploads/", {}, format="json").status_code == 403
        assert client.post(f"/api/shoots/{shoot.pk}/files/", {}).status_code == 403
