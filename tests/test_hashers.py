"""Password hashing per OWASP's argon2id guidance (issue 15)."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, identify_hasher, make_password


@pytest.fixture(autouse=True)
def _real_hashers(settings):
    # tests/conftest.py hashes with MD5 for speed; these tests are about the real setting.
    from portal import settings as portal_settings

    settings.PASSWORD_HASHERS = portal_settings.PASSWORD_HASHERS


def test_new_passwords_use_owasp_parameters():
    encoded = make_password("Un-mot-de-passe-solide-1")
    assert "$m=19456,t=2,p=1$" in encoded
    assert identify_hasher(encoded).__class__.__name__ == "OwaspArgon2PasswordHasher"


def test_a_hash_made_with_django_defaults_still_verifies_and_is_upgraded(settings):
    old = Argon2PasswordHasher().encode("Un-mot-de-passe-solide-1", "sel-de-test-12")
    upgraded = []
    assert check_password("Un-mot-de-passe-solide-1", old, setter=upgraded.append)
    assert upgraded == ["Un-mot-de-passe-solide-1"]  # Django re-hashes it with the new parameters
