"""The profile page: every agent's own settings, password and personal API tokens."""

from __future__ import annotations

import pytest
from django.test import Client

from frontdesk.accounts.models import ApiToken
from frontdesk.accounts.services import token_create
from frontdesk.core.actor import SYSTEM
from frontdesk.testing.factories import PASSWORD
from frontdesk.testing.fixtures import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_an_agent_saves_profile_and_notification_choices(light_agent) -> None:  # type: ignore[no-untyped-def]
    client = client_for(light_agent)
    page = client.get("/profile/").content.decode()
    assert 'for="f-notify-assigned"' in page and '<option value="Europe/Paris"' in page
    response = client.post("/profile/", {"name": "Lee", "time_zone": "Europe/Paris", "language": "fr",
                                         "signature": "Lee, support", "notify_assigned": "on",
                                         "notify_followed": "on"})
    assert response.status_code == 302
    light_agent.refresh_from_db()
    assert (light_agent.name, light_agent.time_zone, light_agent.language) == ("Lee", "Europe/Paris", "fr")
    assert light_agent.notification_settings == {"assigned": True, "mentioned": False, "followed": True}
    assert "checked" in client.get("/profile/").content.decode().split('id="f-notify-assigned"')[1][:60]


def test_an_unknown_time_zone_is_refused_next_to_the_field(agent) -> None:  # type: ignore[no-untyped-def]
    response = client_for(agent).post("/profile/", {"name": "A", "time_zone": "Mars/Olympus", "language": "en"})
    assert response.status_code == 422 and 'id="f-time-zone-error"' in response.content.decode()


def test_password_change_needs_the_current_one_and_ends_other_sessions(agent) -> None:  # type: ignore[no-untyped-def]
    here, elsewhere = Client(), Client()
    assert here.login(email=agent.email, password=PASSWORD) and elsewhere.login(email=agent.email, password=PASSWORD)
    wrong = here.post("/profile/password/", {"current_password": "nope", "new_password": "another-long-pass-42"})
    assert wrong.status_code == 422 and 'id="f-current-password-error"' in wrong.content.decode()
    ok = here.post("/profile/password/", {"current_password": PASSWORD, "new_password": "another-long-pass-42"})
    assert ok.status_code == 302
    assert here.get("/profile/").status_code == 200, "this session stays signed in"
    assert elsewhere.get("/profile/").status_code == 302, "the other session is signed out"
    agent.refresh_from_db()
    assert agent.check_password("another-long-pass-42")


def test_a_new_token_is_shown_once_then_only_its_prefix(agent) -> None:  # type: ignore[no-untyped-def]
    client = client_for(agent)
    response = client.post("/profile/tokens/", {"token_name": "CRM sync"}, follow=True)
    token = ApiToken.objects.get(user=agent)
    html = response.content.decode()
    secret = html.split('id="new-secret" class="secret" readonly value="')[1].split('"')[0]
    assert secret.startswith(token.prefix) and len(secret) > len(token.prefix)
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    again = client.get("/profile/").content.decode()
    assert secret not in again and f"{token.prefix}…" in again and "CRM sync" in again


def test_agents_revoke_only_their_own_tokens(agent, supervisor) -> None:  # type: ignore[no-untyped-def]
    mine, _ = token_create(actor=SYSTEM, user=agent)
    theirs, _ = token_create(actor=SYSTEM, user=supervisor)
    client = client_for(agent)
    assert client.post(f"/profile/tokens/{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"/profile/tokens/{mine.pk}/revoke/").status_code == 302
    assert ApiToken.objects.get(pk=mine.pk).revoked_at and not ApiToken.objects.get(pk=theirs.pk).revoked_at


def test_customers_cannot_open_the_profile_page(customer_user) -> None:  # type: ignore[no-untyped-def]
    assert client_for(customer_user).get("/profile/").status_code == 403
