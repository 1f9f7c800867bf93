"""Password hashing sized for a 2-core web node on the last evening (issue 15).

Django's Argon2 defaults (memory_cost 100 MiB, parallelism 8) cost about 100 MB of memory per web
worker during each hash and most of a core; OWASP's Password Storage Cheat Sheet gives, as its first
equivalent configuration for argon2id, m = 19 MiB, t = 2, p = 1. Existing hashes keep working: the
algorithm name is the same and Django re-hashes with these parameters at the next login
(``must_update``)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
