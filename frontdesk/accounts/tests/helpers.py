"""Small helpers for the accounts API tests."""

from __future__ import annotations

from django.test import Client

from frontdesk.testing.factories import PASSWORD

LOGIN = "/api/v1/auth/login"


def signed_in_client(email: str, *, ip: str = "127.0.0.1", enforce_csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf, REMOTE_ADDR=ip)
    response = client.post(LOGIN, {"email": email, "password": PASSWORD}, content_type="application/json")
    assert response.status_code == 200, response.content
    return client


def sign_in(email: str, password: str, *, ip: str = "127.0.0.1", **headers: str):  # type: ignore[no-untyped-def]
    return Client(REMOTE_ADDR=ip).post(
        LOGIN, {"email": email, "password": password}, content_type="application/json", headers=headers
    )
