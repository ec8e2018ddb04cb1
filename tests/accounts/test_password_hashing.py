"""New passwords get Argon2; hashes made before (PBKDF2) still let their owners in and are
rehashed with Argon2 at that login. The test settings hash with MD5 for speed, so these
tests put the production list back."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher, make_password

from saas_platform.accounts.models import Role, User
from saas_platform.settings import base


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS


def test_new_passwords_are_hashed_with_argon2(production_hashers):
    assert identify_hasher(make_password("a new password")).algorithm == "argon2"


def test_a_pbkdf2_hash_still_lets_its_owner_in_and_is_rehashed_with_argon2(
    production_hashers, in_alpha
):
    hasher = PBKDF2PasswordHasher()
    # PBKDF2 as Django made it before, with few iterations so the test stays fast (a hash
    # carries its own iteration count).
    legacy = hasher.encode("an older password", hasher.salt(), iterations=1000)
    user = User.objects.create_user(email="legacy@alpha.test", full_name="L", role=Role.MANAGER)
    User.objects.filter(pk=user.pk).update(password=legacy)

    assert authenticate(None, username="legacy@alpha.test", password="wrong password") is None
    user.refresh_from_db()
    assert user.password == legacy  # a failed attempt changes nothing

    assert authenticate(None, username="legacy@alpha.test", password="an older password")
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password("an older password")
