"""Every operation of the API, fed hostile input, answers with the error shape — never a 500.

The operations come from the OpenAPI document itself, so a new route is covered the day it is added.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from frontdesk.api import api
from frontdesk.testing import factories as f

HUGE = 2**64
HOSTILE_IDS = ["0", "-1", str(2**63), str(HUGE), "abc", "1e3", "%00"]


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _wrong_values(prop: dict[str, Any]) -> list[Any]:
    kind = prop.get("type")
    if kind == "string":
        return [123, [], {"x": 1}, "\x00" * 10, "x" * 20_000]
    if kind == "integer":
        return ["x", HUGE, -HUGE, 1.5, True, None]
    if kind == "number":
        return ["x", "NaN", 1e309, None]
    if kind == "boolean":
        return ["maybe", 2, None]
    if kind == "array":
        return ["x", [{"a": 1}], [None], list(range(2_000))]
    if kind == "object":
        return ["x", [1], {"\x00": "\x00"}]
    return ["x", HUGE, None, {"x": [1]}]


def _bodies(op: dict[str, Any], components: dict[str, Any]) -> list[Any]:
    content = (op.get("requestBody") or {}).get("content", {})
    media = content.get("application/json")
    if not media:
        return []
    schema = _resolve(media["schema"], components)
    props = schema.get("properties", {})
    bodies: list[Any] = [{}, [], "string", None, {"unknown_field": 1}]
    for name, prop in props.items():
        prop = _resolve(prop, components)
        for value in _wrong_values(prop):
            bodies.append({name: value})
    return bodies


@pytest.fixture
def world(db, admin_user):  # type: ignore[no-untyped-def]
    from frontdesk.core.actor import Actor
    from frontdesk.tickets.services import ticket_create

    contact = f.ContactFactory()
    ticket = ticket_create(actor=Actor.of(admin_user), requester=contact, subject="Hi", body="Hello")
    return {"ticket": ticket, "contact": contact}


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    doc = api.get_openapi_schema()
    ops = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "patch", "put", "delete"):
                ops.append((method, path, op))
    return ops


def _problem(response: Any, where: str) -> str | None:
    if response.status_code >= 500:
        return f"{where} answered {response.status_code}"
    if response.status_code >= 400 and response.status_code != 405:
        try:
            error = json.loads(response.content)["error"]
        except (ValueError, KeyError, TypeError):
            return f"{where}: not the error shape: {response.content[:200]!r}"
        if not set(error) >= {"code", "message", "fields"}:
            return f"{where}: not the error shape: {error}"
    return None


def test_hostile_ids_and_bodies_never_cause_a_server_error(world, admin_user, api_for) -> None:  # type: ignore[no-untyped-def]
    client = api_for(admin_user)
    client.client.raise_request_exception = False  # a crash must show as the 500 a user would get
    components = api.get_openapi_schema()["components"]["schemas"]
    real = {"ticket_id": world["ticket"].pk, "contact_id": world["contact"].pk, "customer_id": world["contact"].pk}
    checked = 0
    problems: list[str] = []

    def _check(response: Any, where: str) -> None:
        problem = _problem(response, where)
        if problem:
            problems.append(problem)
    for method, path, op in _operations():
        params = [p["name"] for p in op.get("parameters", []) if p.get("in") == "path"]
        url_real = "/api/v1" + path.removeprefix("/api/v1")
        for name in params:
            url_real = url_real.replace("{" + name + "}", str(real.get(name, 1)))
        # hostile path ids, one parameter at a time
        for name in params:
            for bad in HOSTILE_IDS:
                url = "/api/v1" + path.removeprefix("/api/v1")
                url = url.replace("{" + name + "}", bad)
                for other in params:
                    url = url.replace("{" + other + "}", str(real.get(other, 1)))
                response = getattr(client, method)(url) if method in ("get", "delete") else getattr(
                    client, method)(url, {})
                _check(response, f"{method.upper()} {url}")
                checked += 1
        # hostile bodies on the real object
        if method in ("post", "patch", "put"):
            for body in _bodies(op, components):
                response = getattr(client, method)(url_real, body)
                _check(response, f"{method.upper()} {url_real} {str(body)[:80]}")
                checked += 1
            raw = client.client.generic(
                method.upper(), url_real, b'{"subject": "unterminated', content_type="application/json",
                headers={"Authorization": f"Bearer {client.token}"},
            )
            _check(raw, f"{method.upper()} {url_real} malformed JSON")
    assert checked > 300, "the OpenAPI document should expose the whole API"
    assert problems == [], f"{len(problems)} hostile requests were mishandled:\n" + "\n".join(problems[:60])


def test_nul_characters_are_refused_with_the_field_named(world, admin_user, api_for) -> None:  # type: ignore[no-untyped-def]
    client = api_for(admin_user)
    response = client.post(f"/api/v1/tickets/{world['ticket'].pk}/messages", {"body": "hello\x00world"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"body": "contains NUL"}
    assert world["ticket"].messages.count() == 1, "nothing was written"
