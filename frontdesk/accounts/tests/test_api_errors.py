"""The error shape every client relies on, and the edges of input handling."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from frontdesk.accounts.models import Team, User

pytestmark = pytest.mark.django_db


def error_of(response) -> dict:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def test_unknown_field_is_refused_by_name(admin_user, api_for):
    response = api_for(admin_user).post("/api/v1/users", {"email": "a@example.com", "nickname": "A"})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert "nickname" in error["fields"]
    assert not User.objects.filter(email="a@example.com").exists()


def test_wrong_type_names_the_field(admin_user, api_for):
    response = api_for(admin_user).post("/api/v1/teams", {"name": "T", "restricted": "maybe"})
    assert response.status_code == 422
    assert "restricted" in error_of(response)["fields"]


NOT_JSON = {"body": "not valid JSON"}  # frontdesk.core.api_parser: the body itself is refused
NOT_AN_OBJECT = {"request": "Input should be a valid dictionary or object to extract fields from"}


@pytest.mark.parametrize(
    ("body", "fields"),
    [('{"name": ', NOT_JSON), ("\xff\xfe", NOT_JSON), ("[1, 2]", NOT_AN_OBJECT), ('"text"', NOT_AN_OBJECT)],
)
def test_malformed_json_is_a_client_error(admin_user, api_for, body, fields):
    api = api_for(admin_user)
    response = api.client.post(
        "/api/v1/teams", body, content_type="application/json", headers=api._headers(None)
    )
    assert response.status_code == 422, response.content
    error = error_of(response)
    assert (error["code"], error["fields"]) == ("validation_error", fields)
    assert not Team.objects.exists()


@override_settings(API_MAX_BODY_BYTES=2000)
def test_oversized_body_is_413(admin_user, api_for):
    response = api_for(admin_user).post("/api/v1/teams", {"name": "T", "description": "x" * 5000})
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"
    assert not Team.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/users/{id}", "/api/v1/teams/{id}", "/api/v1/brands/{id}"])
@pytest.mark.parametrize("value", [2**63, 2**64 + 1, 0, -1])
def test_out_of_range_ids_are_not_found_never_500(admin_user, api_for, path, value):
    api = api_for(admin_user)
    url = path.format(id=value)
    # an id outside 1..2^63-1 names nothing: 404 not_found like any missing id (docs/api/README.md)
    for response in (api.get(url), api.patch(url, {"name": "x"})):
        assert response.status_code == 404, (url, response.status_code)
        assert error_of(response)["code"] == "not_found"
    token = api.delete(f"/api/v1/me/tokens/{2**63}")
    assert token.status_code == 404 and error_of(token)["code"] == "not_found"


def test_bad_cursor_and_limit_are_422(agent, api_for):
    api = api_for(agent)
    assert api.get("/api/v1/users", {"cursor": "not-a-cursor"}).status_code == 422
    assert api.get("/api/v1/users", {"limit": 0}).status_code == 422
    assert api.get("/api/v1/users", {"limit": 10_000}).status_code == 422


def test_idempotency_key_replays_the_first_response(admin_user, api_for):
    api = api_for(admin_user)
    body = {"email": "once@example.com", "name": "Once"}
    first = api.post("/api/v1/users", body, headers={"Idempotency-Key": "k-1"})
    again = api.post("/api/v1/users", body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert json.loads(first.content) == json.loads(again.content)
    assert User.objects.filter(email="once@example.com").count() == 1

    other = api.post("/api/v1/users", {"email": "twice@example.com"}, headers={"Idempotency-Key": "k-1"})
    assert other.status_code == 422
    assert "Idempotency-Key" in error_of(other)["fields"]
    assert not User.objects.filter(email="twice@example.com").exists()


def test_idempotency_keys_belong_to_their_caller(admin_user, api_for):
    from frontdesk.testing.factories import UserFactory

    other_admin = UserFactory(role="admin")
    a = api_for(admin_user).post("/api/v1/teams", {"name": "A"}, headers={"Idempotency-Key": "same"})
    b = api_for(other_admin).post("/api/v1/teams", {"name": "B"}, headers={"Idempotency-Key": "same"})
    assert a.status_code == b.status_code == 201
    assert set(Team.objects.values_list("name", flat=True)) == {"A", "B"}
