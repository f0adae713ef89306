"""Every sign-in path shares one throttle: Django's /admin/login/ counted no failures before."""

from __future__ import annotations

import pytest
from django.test import Client

from frontdesk.accounts.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "the-right-admin-password"


@pytest.fixture
def superuser(settings):  # type: ignore[no-untyped-def]
    settings.LOGIN_FAILURES_PER_ACCOUNT_AND_IP = 5
    return User.objects.create_user(email="root@example.com", password=PASSWORD, role="admin",
                                    is_superuser=True)


def _admin_login(client: Client, password: str) -> bool:
    response = client.post("/admin/login/?next=/admin/", {"username": "root@example.com", "password": password})
    return response.status_code == 302 and response["Location"] == "/admin/"


def test_the_admin_sign_in_is_throttled_like_every_other(superuser) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for _ in range(5):
        assert not _admin_login(client, "guess")
    assert not _admin_login(client, PASSWORD), "the right password after five guesses must wait"
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert _admin_login(other, PASSWORD), "the real owner at another address is not locked out"


def test_failures_on_the_admin_page_count_for_the_api_sign_in(superuser) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for _ in range(5):
        _admin_login(client, "guess")
    response = client.post("/api/v1/auth/login", {"email": "root@example.com", "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
