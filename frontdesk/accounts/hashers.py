"""The password hasher: Argon2id with parameters chosen for sign-in speed on small machines, at or
above the OWASP Password Storage Cheat Sheet's Argon2id minimum (m=19 MiB, t=2, p=1).

Django's stock Argon2PasswordHasher uses m=100 MiB, t=2, p=8: eight lanes on a two-core machine
make each verification wait for CPU time, and a sign-in took up to a second under load. One lane
and 32 MiB with two passes cost about 60 ms on one core and stay well inside a 400 ms sign-in
even with the other core busy or a few people signing in at once (``frontdesk bench signin``).

The algorithm name stays ``argon2``, so every hash stored before (stock parameters, or the test
suite's cheap ones) is still verified by this hasher; because its parameters differ,
``must_update`` is true and Django re-hashes the password with these parameters at that
person's next successful sign-in.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher

# OWASP's equivalent Argon2id minimums: time cost (passes) -> memory in KiB, with parallelism 1.
OWASP_ARGON2ID_MINIMUMS = {1: 47104, 2: 19456, 3: 12288, 4: 9216, 5: 7168}


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id (Django's Argon2 hasher always uses type ID), m=32 MiB, t=2, p=1."""

    algorithm = "argon2"
    time_cost = 2
    memory_cost = 32768  # KiB
    parallelism = 1


def meets_owasp_minimum(*, variety: str, memory_cost: int, time_cost: int, parallelism: int) -> bool:
    """Whether decoded Argon2 parameters are at or above one of OWASP's Argon2id minimums."""
    if variety != "argon2id" or parallelism < 1 or time_cost < 1:
        return False
    return memory_cost >= OWASP_ARGON2ID_MINIMUMS[min(time_cost, 5)]
