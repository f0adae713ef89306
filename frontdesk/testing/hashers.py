"""Argon2 with the smallest cost, for the test suite only: same algorithm, a fraction of the time."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    algorithm = "argon2"  # same stored format: a real Argon2 hash, verifiable by the production hasher
    time_cost = 1
    memory_cost = 8
    parallelism = 1
