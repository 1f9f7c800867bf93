"""Password hashing per OWASP's argon2id guidance (issue 15)."""

from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, identify_hasher, make_password


def test_new_passwords_use_owasp_parameters():
    encoded = make_password("Un-mot-de-passe-solide-1")
    assert "$m=19456,t=2,p=1$" in encoded
    assert identify_hasher(encoded).__class__.__name__ == "OwaspArgon2PasswordHasher"


def test_a_hash_made_with_django_defaults_still_verifies_and_is_upgraded(settings):
    old = Argon2PasswordHasher().encode("Un-mot-de-passe-solide-1", "sel-de-test-12")
    upgraded = []
    assert check_password("Un-mot-de-passe-solide-1", old, setter=upgraded.append)
    assert upgraded == ["Un-mot-de-passe-solide-1"]  # Django re-hashes it with the new parameters
