"""Authentication of the REST API: bearer tokens, sessions with CSRF, sign-in and its throttle."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings

from frontdesk.accounts.auth import token_digest
from frontdesk.accounts.models import ApiToken
from frontdesk.accounts.tests.helpers import LOGIN, sign_in, signed_in_client
from frontdesk.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db
ME = "/api/v1/me"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_token_authenticates_and_records_last_use(agent, api_for):
    api = api_for(agent)
    token = ApiToken.objects.get(user=agent)
    assert token.last_used_at is None

    response = api.get(ME)

    assert response.status_code == 200
    assert response.json()["email"] == agent.email
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_only_the_digest_of_a_token_is_stored(agent, api_for):
    response = api_for(agent).post("/api/v1/me/tokens", {"name": "laptop"})
    assert response.status_code == 201
    secret = response.json()["secret"]
    token = ApiToken.objects.get(pk=response.json()["id"])
    assert token.digest == token_digest(secret)
    stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert secret not in stored
    assert Client().get(ME, headers=bearer(secret)).status_code == 200


def test_revoked_or_unknown_token_is_refused_with_401(agent, api_for):
    api = api_for(agent)
    created = api.post("/api/v1/me/tokens", {"name": "ci"}).json()

    assert api.delete(f"/api/v1/me/tokens/{created['id']}").status_code == 204

    for secret in (created["secret"], "fd_not-a-token", "garbage"):
        for response in (
            Client().get(ME, headers=bearer(secret)),
            Client().post("/api/v1/me/tokens", {}, content_type="application/json", headers=bearer(secret)),
        ):
            assert response.status_code == 401
            assert response.json()["error"]["code"] == "unauthenticated"
    listed = api.get("/api/v1/me/tokens").json()["items"]
    assert {t["id"]: t["revoked_at"] is not None for t in listed}[created["id"]] is True


def test_a_user_cannot_revoke_someone_elses_token(agent, supervisor, api_for):
    other = api_for(supervisor).post("/api/v1/me/tokens", {"name": "mine"}).json()
    assert api_for(agent).delete(f"/api/v1/me/tokens/{other['id']}").status_code == 404
    assert Client().get(ME, headers=bearer(other["secret"])).status_code == 200


def test_session_requires_csrf_on_unsafe_methods(agent):
    client = signed_in_client(agent.email, enforce_csrf=True)

    assert client.get(ME).status_code == 200
    refused = client.patch(ME, {"name": "New"}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]

    token = client.cookies["csrftoken"].value
    allowed = client.patch(
        ME, {"name": "New"}, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert allowed.status_code == 200
    assert allowed.json()["name"] == "New"


def test_sign_in_returns_a_usable_csrf_token(agent):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        LOGIN, {"email": agent.email.upper(), "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200
    csrf = response.json()["csrf_token"]
    ok = client.post(
        "/api/v1/me/tokens", {"name": "x"}, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert ok.status_code == 201


def test_sign_out_ends_the_session(agent):
    client = signed_in_client(agent.email)
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get(ME).status_code == 401


def test_wrong_password_is_401_and_unknown_email_looks_the_same(agent):
    wrong = sign_in(agent.email, "not-the-password")
    unknown = sign_in("nobody@example.com", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "invalid_credentials"


def test_sign_in_refuses_cross_site_requests(agent):
    assert sign_in(agent.email, PASSWORD, **{"Origin": "https://evil.example"}).status_code == 403
    assert sign_in(agent.email, PASSWORD, **{"Sec-Fetch-Site": "cross-site"}).status_code == 403
    # an HTML form post (multipart): its body is not JSON, so the API's body parser refuses it
    # (422, the body named) before the view's same-origin check; nobody is signed in either way
    form = Client().post(LOGIN, {"email": agent.email, "password": PASSWORD})
    assert form.status_code == 422, form.content
    assert form.json()["error"]["code"] == "validation_error" and form.json()["error"]["fields"] == {
        "body": "not valid JSON"
    }
    assert "_auth_user_id" not in form.client.session
    # a form can carry a JSON body as text/plain (enctype="text/plain"): the same-origin check refuses it
    plain = Client().post(LOGIN, json.dumps({"email": agent.email, "password": PASSWORD}), content_type="text/plain")
    assert plain.status_code == 403 and plain.json()["error"]["code"] == "cross_site_request", plain.content
    assert sign_in(agent.email, PASSWORD, **{"Origin": "http://testserver"}).status_code == 200


@override_settings(LOGIN_FAILURES_PER_ACCOUNT_AND_IP=3, LOGIN_FAILURES_PER_IP=50)
def test_sign_in_throttle_cannot_lock_the_real_user_out(agent):
    attacker, user = "203.0.113.9", "198.51.100.7"
    for _ in range(3):
        assert sign_in(agent.email, "guess-guess-guess", ip=attacker).status_code == 401

    throttled = sign_in(agent.email, PASSWORD, ip=attacker)  # even the right password
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert throttled.json()["error"]["code"] == "rate_limited"

    assert sign_in(agent.email, PASSWORD, ip=user).status_code == 200


@override_settings(LOGIN_FAILURES_PER_ACCOUNT_AND_IP=3)
def test_successful_sign_in_clears_the_failures(agent):
    for _ in range(2):
        sign_in(agent.email, "guess-guess-guess")
    assert sign_in(agent.email, PASSWORD).status_code == 200
    for _ in range(2):
        sign_in(agent.email, "guess-guess-guess")
    assert sign_in(agent.email, PASSWORD).status_code == 200


def test_password_change_ends_other_sessions_but_keeps_this_one(agent):
    other = signed_in_client(agent.email)
    this = signed_in_client(agent.email)
    assert other.get(ME).status_code == 200

    response = this.post(
        "/api/v1/me/password",
        {"current_password": PASSWORD, "new_password": "a-new-long-secret"},
        content_type="application/json",
    )

    assert response.status_code == 204
    assert this.get(ME).status_code == 200
    assert other.get(ME).status_code == 401
    assert sign_in(agent.email, "a-new-long-secret").status_code == 200


def test_password_change_checks_the_current_password_and_strength(agent, api_for):
    api = api_for(agent)
    wrong = api.post("/api/v1/me/password", {"current_password": "nope", "new_password": "a-new-long-secret"})
    assert wrong.status_code == 422
    assert "current_password" in wrong.json()["error"]["fields"]
    weak = api.post("/api/v1/me/password", {"current_password": PASSWORD, "new_password": "short"})
    assert weak.status_code == 422
    assert "password" in weak.json()["error"]["fields"]


def test_rate_limit_per_token_answers_429_with_retry_after(agent, api_for, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    api = api_for(agent)
    # at most two allowed per one-minute window: six calls span at most two windows
    responses = [api.get(ME) for _ in range(6)]
    limited = [r for r in responses if r.status_code == 429]
    assert limited, [r.status_code for r in responses]
    assert 1 <= int(limited[0]["Retry-After"]) <= 60
    assert limited[0].json()["error"]["code"] == "rate_limited"
    assert {r.status_code for r in responses} <= {200, 429}
