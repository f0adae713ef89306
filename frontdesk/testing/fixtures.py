"""Shared pytest fixtures: users of every role, API clients, a contact and a ticket."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from frontdesk.testing import factories as f


def postgres_required() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def admin_user(db):  # type: ignore[no-untyped-def]
    return f.UserFactory(role="admin", email="admin@example.com")


@pytest.fixture
def supervisor(db):  # type: ignore[no-untyped-def]
    return f.UserFactory(role="supervisor")


@pytest.fixture
def agent(db):  # type: ignore[no-untyped-def]
    return f.UserFactory(role="agent")


@pytest.fixture
def light_agent(db):  # type: ignore[no-untyped-def]
    return f.UserFactory(role="light_agent")


@pytest.fixture
def customer_user(db):  # type: ignore[no-untyped-def]
    return f.customer_with_contact()


class ApiClient:
    """A JSON client that authenticates with a real bearer token."""

    def __init__(self, user: Any):
        from frontdesk.accounts.services import token_create
        from frontdesk.core.actor import Actor

        self.user = user
        _, self.token = token_create(actor=Actor.of(user), user=user, name="test")
        self.client = Client()

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        headers.update(extra or {})
        return headers

    def get(self, path: str, params: dict | None = None, headers: dict | None = None):  # type: ignore[no-untyped-def]
        return self.client.get(path, params or {}, headers=self._headers(headers))

    def post(self, path: str, data: Any = None, headers: dict | None = None):  # type: ignore[no-untyped-def]
        return self.client.post(path, data, content_type="application/json", headers=self._headers(headers))

    def patch(self, path: str, data: Any = None, headers: dict | None = None):  # type: ignore[no-untyped-def]
        return self.client.patch(path, data, content_type="application/json", headers=self._headers(headers))

    def delete(self, path: str, headers: dict | None = None):  # type: ignore[no-untyped-def]
        return self.client.delete(path, headers=self._headers(headers))

    def upload(self, path: str, data: dict, headers: dict | None = None):  # type: ignore[no-untyped-def]
        return self.client.post(path, data, headers=self._headers(headers))


@pytest.fixture
def mailbox(db):  # type: ignore[no-untyped-def]
    """An active mailbox of the default brand (``make_mailbox()``); a module that needs another one
    (with an SMTP sink, say) defines or imports its own ``mailbox`` fixture, which wins."""
    from frontdesk.channels.email.tests.test_pipeline_common import make_mailbox

    return make_mailbox()


@pytest.fixture
def api_for() -> Callable[[Any], ApiClient]:
    return ApiClient


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Run after-commit work (event dispatch) inside a test transaction."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def client_for(user: Any, *, raise_request_exception: bool = True) -> Client:
    """A test client signed in as ``user`` (the session, without the sign-in form). With
    ``raise_request_exception=False`` a view's error comes back as the 500 page instead of raising."""
    client = Client(raise_request_exception=raise_request_exception)
    client.force_login(user)
    return client
