"""The REST API's contract: the committed OpenAPI document, and authentication on every route."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from frontdesk.ops.management.commands.export_openapi import DEFAULT_PATH, openapi_text

# Routes anyone may call without credentials. Add one here only on purpose.
PUBLIC_OPERATIONS = {
    ("post", "/api/v1/auth/login"),
    # mail from MTAs and providers: authenticated by the mailbox's own secret (404 without it)
    ("post", "/api/v1/mail/inbound/{mailbox_id}"),
    ("post", "/api/v1/mail/inbound/{mailbox_id}/mime"),  # the same, at the URL ending Mailgun asks for
}


def _schema() -> dict:
    from frontdesk.api import api

    return api.get_openapi_schema()


def test_openapi_document_is_committed_and_current():
    committed = DEFAULT_PATH.read_text(encoding="utf-8") if DEFAULT_PATH.exists() else ""
    assert committed == openapi_text(), (
        "docs/api/openapi.json differs from the API: run `.venv/bin/frontdesk manage export_openapi` "
        "and commit the result."
    )


@pytest.mark.django_db
def test_every_route_but_sign_in_requires_authentication():
    client = Client()
    checked = 0
    for path, methods in _schema()["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method in methods:
            if (method, path) in PUBLIC_OPERATIONS:
                continue
            if method == "get":
                response = client.get(url)
            else:
                response = getattr(client, method)(url, "{}", content_type="application/json")
            assert response.status_code == 401, f"{method.upper()} {path} answered {response.status_code}"
            assert response.json()["error"]["code"] == "unauthenticated"
            checked += 1
    assert checked > 10
