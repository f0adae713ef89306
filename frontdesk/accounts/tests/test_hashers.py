"""The production password hasher: Argon2id at or above OWASP's minimum, and old hashes upgraded at sign-in.

The suite normally hashes with cheap parameters (FRONTDESK_TEST_FAST_HASHER); these tests switch
to the hashers a real installation uses (settings.PRODUCTION_PASSWORD_HASHERS) and read the
parameters back from the hash that was actually stored.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher
from django.test import Client, override_settings

from frontdesk.accounts.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-enough-password-7"  # noqa: S105
# OWASP Password Storage Cheat Sheet, Argon2id: passes -> minimum memory in KiB (parallelism 1)
OWASP = {1: 46 * 1024, 2: 19 * 1024, 3: 12 * 1024, 4: 9 * 1024, 5: 7 * 1024}
_ENCODED = re.compile(r"^argon2\$(?P<variety>argon2\w+)\$v=(?P<v>\d+)\$m=(?P<m>\d+),t=(?P<t>\d+),p=(?P<p>\d+)\$")


def production() -> override_settings:
    return override_settings(PASSWORD_HASHERS=settings.PRODUCTION_PASSWORD_HASHERS)


def params(encoded: str) -> dict[str, int | str]:
    match = _ENCODED.match(encoded)
    assert match, f"not an Argon2 hash: {encoded[:40]}"
    return {"variety": match["variety"], "version": int(match["v"]), "m": int(match["m"]), "t": int(match["t"]),
            "p": int(match["p"])}


def assert_owasp(encoded: str) -> None:
    found = params(encoded)
    assert found["variety"] == "argon2id"
    assert found["version"] == 19
    t, m, p = int(found["t"]), int(found["m"]), int(found["p"])
    assert t >= 1 and p >= 1
    assert m >= OWASP[min(t, 5)], f"m={m} KiB with t={t} is below OWASP's Argon2id minimum of {OWASP[min(t, 5)]}"


class StockArgon2(Argon2PasswordHasher):
    """What an installation stored before: Django's stock parameters (m=100 MiB, t=2, p=8)."""


def sign_in_page(email: str, password: str) -> int:
    return Client().post("/login/", {"email": email, "password": password}).status_code


def test_a_new_password_is_stored_as_argon2id_at_or_above_the_owasp_minimum() -> None:
    with production():
        user = User.objects.create_user(email="new@example.com", password=PASSWORD, role="agent")
        user.refresh_from_db()
        assert_owasp(user.password)
        assert user.check_password(PASSWORD)


def test_the_production_parameters_are_one_lane_so_two_cores_are_not_oversubscribed() -> None:
    with production():
        user = User.objects.create_user(email="lanes@example.com", password=PASSWORD, role="agent")
    assert params(User.objects.get(pk=user.pk).password)["p"] == 1


def test_a_stock_argon2_hash_is_upgraded_at_the_next_sign_in_and_then_left_alone() -> None:
    stock = StockArgon2()
    user = User.objects.create(email="old@example.com", role="agent", password=stock.encode(PASSWORD, stock.salt()))
    assert params(user.password)["m"] == 102400 and params(user.password)["p"] == 8
    with production():
        assert sign_in_page("old@example.com", PASSWORD) == 302
        upgraded = User.objects.get(pk=user.pk).password
        assert upgraded != user.password
        assert_owasp(upgraded)
        assert (params(upgraded)["m"], params(upgraded)["p"]) != (102400, 8)
        assert sign_in_page("old@example.com", PASSWORD) == 302, "the upgraded hash verifies"
        assert User.objects.get(pk=user.pk).password == upgraded, "a current hash is not re-hashed"


def test_a_wrong_password_does_not_touch_an_old_hash() -> None:
    stock = StockArgon2()
    encoded = stock.encode(PASSWORD, stock.salt())
    user = User.objects.create(email="wrong@example.com", role="agent", password=encoded)
    with production():
        assert sign_in_page("wrong@example.com", "not-the-password") == 401
    assert User.objects.get(pk=user.pk).password == encoded


def test_a_pbkdf2_hash_is_upgraded_to_argon2id_at_the_next_sign_in() -> None:
    pbkdf2 = PBKDF2PasswordHasher()
    user = User.objects.create(email="pbkdf2@example.com", role="agent",
                               password=pbkdf2.encode(PASSWORD, pbkdf2.salt(), iterations=1000))
    with production():
        assert sign_in_page("pbkdf2@example.com", PASSWORD) == 302
    assert_owasp(User.objects.get(pk=user.pk).password)


def test_a_hash_made_with_the_test_suites_cheap_parameters_is_upgraded_too() -> None:
    user = User.objects.create_user(email="cheap@example.com", password=PASSWORD, role="agent")  # the fast hasher
    cheap = User.objects.get(pk=user.pk).password
    assert params(cheap)["m"] < OWASP[2]
    with production():
        assert sign_in_page("cheap@example.com", PASSWORD) == 302
    assert_owasp(User.objects.get(pk=user.pk).password)
