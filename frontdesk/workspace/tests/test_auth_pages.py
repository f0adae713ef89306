from __future__ import annotations

import pytest
from django.test import Client

from frontdesk.testing.factories import PASSWORD


@pytest.mark.django_db
def test_an_agent_signs_in_and_lands_in_the_workspace(agent) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    page = client.get("/login/")
    assert page.status_code == 200 and b'name="password"' in page.content
    response = client.post("/login/", {"email": agent.email, "password": PASSWORD, "next": "/tickets/"})
    assert response.status_code == 302 and response["Location"] == "/tickets/"
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_wrong_password_is_refused_without_saying_which_part_was_wrong(agent) -> None:  # type: ignore[no-untyped-def]
    response = Client().post("/login/", {"email": agent.email, "password": "nope"})
    assert response.status_code == 401
    assert b"The email or password is wrong." in response.content


@pytest.mark.django_db
def test_the_sign_in_page_is_throttled_like_the_api(agent, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LOGIN_FAILURES_PER_ACCOUNT_AND_IP = 2
    client = Client(REMOTE_ADDR="203.0.113.5")
    for _ in range(2):
        client.post("/login/", {"email": agent.email, "password": "nope"})
    blocked = client.post("/login/", {"email": agent.email, "password": PASSWORD})
    assert blocked.status_code == 429
    elsewhere = Client(REMOTE_ADDR="198.51.100.7").post("/login/", {"email": agent.email, "password": PASSWORD})
    assert elsewhere.status_code == 302, "the real user, from their own address, is not locked out"


@pytest.mark.django_db
def test_a_customer_is_refused_at_the_agent_workspace(customer_user) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(customer_user)
    response = client.get("/tickets/")
    assert response.status_code == 403
    assert b"This area is for support agents" in response.content


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get("/tickets/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/tickets/")


@pytest.mark.django_db
def test_open_redirects_are_refused(agent) -> None:  # type: ignore[no-untyped-def]
    response = Client().post("/login/", {"email": agent.email, "password": PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_scripts(agent) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert b"<script>" not in response.content and b"onclick=" not in response.content


@pytest.mark.django_db
def test_websockets_and_fetches_may_reach_only_this_site(agent) -> None:  # type: ignore[no-untyped-def]
    csp = Client().get("/login/", HTTP_HOST="localhost")["Content-Security-Policy"]
    connect = next(part for part in csp.split("; ") if part.startswith("connect-src"))
    assert connect == "connect-src 'self' ws://localhost", "no websocket to any other host"
    secure = Client().get("/login/", HTTP_HOST="localhost", secure=True)["Content-Security-Policy"]
    assert "connect-src 'self' wss://localhost;" in secure
