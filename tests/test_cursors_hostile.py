"""Every list that takes a ``cursor`` — API operations and workspace pages — fed crafted or
arbitrary cursors answers a clean error (API: ``422 invalid_cursor``; pages: page one or a 400),
never a 500.

The API operations come from the OpenAPI document, so a new list is covered the day it is added.
Red-team finding 6 (issue 8): ``WyJhIiwgMV0`` (base64 of ``["a", 1]``) made ``/api/v1/tickets``
and the ticket and quarantine pages answer 500.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontdesk.api import api
from frontdesk.core.actor import Actor
from frontdesk.testing import factories as f

pytestmark = pytest.mark.django_db

ROLES = ("admin", "supervisor", "agent", "light_agent", "customer")


def _b64(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


# the red team's two, and the same class: every part of the old cursor format, wrong
CRAFTED = [
    "WyJhIiwgMV0",  # ["a", 1]
    "WzFlMzA4LCAxXQ",  # [1e308, 1]
    _b64([{"dt": "not a date"}, 1]),
    _b64([{"dt": "0001-01-01T00:00:00+01:00"}, 1]),  # overflows when made UTC
    _b64([{"dt": "2024-01-01T00:00:00"}, 1]),  # naive
    _b64([2**70, 1]),
    _b64([-(2**70), 1]),
    _b64([True, 1]),
    _b64([None, 1]),
    _b64([[1, 2], 1]),
    _b64([{"x": 1}, 1]),
    _b64(["a\x00b", 1]),
    _b64(["a", 2**63]),
    _b64(["a", 0]),
    _b64(["a", -1]),
    _b64(["a", "1"]),
    _b64(["a", 1.5]),
    _b64([1]),
    _b64({"a": 1}),
    _b64("x" * 5000),
    "garbage!",
    "x" * 10_000,
    "a:b:c",
    ":",
]


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    from frontdesk.tickets.models import View
    from frontdesk.tickets.services import ticket_create

    users = {role: f.UserFactory(role=role) for role in ROLES if role != "customer"}
    users["customer"] = f.customer_with_contact()
    contact = users["customer"].contact
    ticket = ticket_create(actor=Actor.of(users["admin"]), requester=contact,
                           subject="Hi", body="Hello")
    view = View.objects.order_by("pk").first()
    assert view is not None, "the built-in views exist"
    real = {"ticket_id": ticket.pk, "contact_id": contact.pk, "customer_id": contact.pk, "view_id": view.pk}
    return {"users": users, "real": real, "view": view}


def _list_operations(real: dict[str, int]) -> list[str]:
    """Every GET operation of the API with a ``cursor`` query parameter, its path ids filled in."""
    urls = []
    for path, item in api.get_openapi_schema()["paths"].items():
        op = item.get("get")
        if not op or not any(p["name"] == "cursor" and p["in"] == "query" for p in op.get("parameters", [])):
            continue
        url = path
        for p in op.get("parameters", []):
            if p["in"] == "path":
                url = url.replace("{" + p["name"] + "}", str(real.get(p["name"], 1)))
        urls.append(url)
    return urls


def _api_client(user: Any) -> tuple[Client, dict[str, str]]:
    from frontdesk.accounts.services import token_create

    _, token = token_create(actor=Actor.of(user), user=user, name="test")
    client = Client(raise_request_exception=False)  # a crash must show as the 500 a user would get
    return client, {"Authorization": f"Bearer {token}"}


PAGES = [
    "/tickets/", "/views/{view_id}/", "/customers/", "/organisations/", "/settings/users/",
    "/settings/tags/", "/settings/tokens/", "/settings/mailboxes/", "/settings/quarantine/",
]


TICKET_LISTS = ("/tickets/", "/views/{view_id}/")


def _pages(world: dict[str, Any]) -> list[str]:
    return [p.replace("{view_id}", str(world["view"].pk)) for p in PAGES]


def _page_status(world: dict[str, Any], url: str, cursor: str, htmx: bool = False) -> int:
    """What a page answers a cursor it did not hand out. Every list but the ticket lists shows page
    one (core.pagination.keyset_page_or_first). The ticket lists refuse it: the page with a 400 that
    says why (their filter-error path, views_lists.list_context), and their htmx "more rows" fragment
    with a 200 (htmx swaps it in) whose alert says why and links back to the first page. An empty
    cursor is no cursor: page one everywhere."""
    return 400 if url in _ticket_lists(world) and cursor and not htmx else 200


def _ticket_lists(world: dict[str, Any]) -> set[str]:
    return {p.replace("{view_id}", str(world["view"].pk)) for p in TICKET_LISTS}


def test_every_list_operation_is_found(world) -> None:  # type: ignore[no-untyped-def]
    urls = _list_operations(world["real"])
    assert "/api/v1/tickets" in urls and "/api/v1/users" in urls
    assert len(urls) >= 15, urls


@pytest.mark.parametrize("role", ROLES)
def test_crafted_cursors_are_422_invalid_cursor_for_every_role(world, role) -> None:  # type: ignore[no-untyped-def]
    client, headers = _api_client(world["users"][role])
    problems = []
    for url in _list_operations(world["real"]):
        plain = client.get(url, headers=headers)
        for cursor in CRAFTED:
            r = client.get(url, {"cursor": cursor}, headers=headers)
            if plain.status_code == 200:
                # a list this role may read: the cursor, and only the cursor, is refused
                body = r.json() if r.headers.get("Content-Type", "").startswith("application/json") else {}
                code = body.get("error", {}).get("code")
                if r.status_code != 422 or code not in ("invalid_cursor", "validation_error"):
                    problems.append(f"{url} cursor={cursor[:40]!r}: {r.status_code} {r.content[:120]!r}")
                elif code == "validation_error" and "cursor" not in body["error"]["fields"]:
                    problems.append(f"{url} cursor={cursor[:40]!r}: {body}")
            elif r.status_code >= 500 or r.status_code == 200:
                problems.append(f"{url} cursor={cursor[:40]!r} ({role}): {r.status_code}")
    assert problems == [], "\n".join(problems[:40])


def test_the_red_team_cursor_names_the_cursor(world) -> None:  # type: ignore[no-untyped-def]
    client, headers = _api_client(world["users"]["admin"])
    r = client.get("/api/v1/tickets", {"cursor": "WyJhIiwgMV0"}, headers=headers)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_cursor"
    assert "cursor" in r.json()["error"]["fields"]


@pytest.mark.parametrize("role", ["admin", "agent"])
def test_crafted_cursors_on_pages_give_page_one_or_a_clean_400(world, role) -> None:  # type: ignore[no-untyped-def]
    client = Client(raise_request_exception=False)
    client.force_login(world["users"][role])
    problems = []
    for url in _pages(world):
        first = client.get(url)
        for cursor in CRAFTED:
            for headers in ({}, {"HX-Request": "true"}):
                r = client.get(url, {"cursor": cursor}, headers=headers)
                if first.status_code != 200:  # not this role's page: the same answer with a cursor
                    if r.status_code != first.status_code:
                        problems.append(f"{url} {role} {cursor[:30]!r}: {r.status_code} vs {first.status_code}")
                    continue
                if r.status_code != _page_status(world, url, cursor, htmx=bool(headers)):
                    problems.append(f"{url} {cursor[:30]!r} {headers}: {r.status_code}")
                elif r.status_code == 400 and b'role="alert"' not in r.content:
                    problems.append(f"{url} {cursor[:30]!r}: a 400 without saying why")
                elif headers and cursor and url in _ticket_lists(world) and (
                        b'role="alert"' not in r.content or b"Back to the first page" not in r.content):
                    problems.append(f"{url} {cursor[:30]!r}: load more stopped without saying why")
    assert problems == [], "\n".join(problems[:40])


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
_cursors = st.one_of(
    st.text(max_size=300),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:=", max_size=120),
    _json.map(lambda v: _b64(v)),
    st.tuples(_json, st.integers()).map(lambda t: _b64(list(t))),
    st.tuples(_json, st.integers()).map(lambda t: _b64(list(t)) + ":" + _b64(list(t))[:43]),
).filter(lambda s: "\x00" not in s and all(not 0xD800 <= ord(c) <= 0xDFFF for c in s))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(cursor=_cursors)
def test_arbitrary_cursors_never_cause_a_server_error(world, cursor) -> None:  # type: ignore[no-untyped-def]
    admin, customer = world["users"]["admin"], world["users"]["customer"]
    api_admin, admin_headers = _api_client(admin)
    api_customer, customer_headers = _api_client(customer)
    for url in _list_operations(world["real"]):
        for client, headers in ((api_admin, admin_headers), (api_customer, customer_headers)):
            r = client.get(url, {"cursor": cursor}, headers=headers)
            assert r.status_code < 500, (url, cursor, r.status_code, r.content[:300])
    page_client = Client(raise_request_exception=False)
    page_client.force_login(admin)
    for url in _pages(world):
        r = page_client.get(url, {"cursor": cursor})
        assert r.status_code == _page_status(world, url, cursor), (url, cursor, r.status_code)
