"""People and teams through the REST API: who may list, create and edit."""

from __future__ import annotations

import pytest

from frontdesk.accounts.models import Team, User
from frontdesk.core.events.models import OutboxEvent
from frontdesk.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_me_shows_and_updates_the_profile(agent, api_for):
    api = api_for(agent)
    response = api.patch(
        "/api/v1/me", {"name": "Ada", "time_zone": "Europe/Paris", "language": "fr", "signature": "-- Ada"}
    )
    assert response.status_code == 200
    agent.refresh_from_db()
    assert (agent.name, agent.time_zone, agent.language, agent.signature) == (
        "Ada",
        "Europe/Paris",
        "fr",
        "-- Ada",
    )
    assert api.get("/api/v1/me").json()["signature"] == "-- Ada"


def test_me_cannot_change_role_and_checks_values(agent, api_for):
    api = api_for(agent)
    assert api.patch("/api/v1/me", {"role": "admin"}).status_code == 422
    bad = api.patch("/api/v1/me", {"time_zone": "Mars/Olympus", "language": "xx-nope"})
    assert bad.status_code == 422
    assert set(bad.json()["error"]["fields"]) == {"time_zone", "language"}
    assert api.patch("/api/v1/me", {"name": None}).status_code == 422
    agent.refresh_from_db()
    assert agent.role == "agent" and agent.time_zone == "UTC"


def test_admin_creates_a_user_who_can_sign_in(admin_user, api_for):
    response = api_for(admin_user).post(
        "/api/v1/users",
        {
            "email": "New.Agent@Example.com",
            "name": "New",
            "role": "supervisor",
            "password": "a-long-enough-secret",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "new.agent@example.com" and body["role"] == "supervisor"
    user = User.objects.get(pk=body["id"])
    assert user.check_password("a-long-enough-secret")
    assert OutboxEvent.objects.filter(name="user.created").count() == 1


def test_duplicate_email_is_a_conflict(admin_user, agent, api_for):
    response = api_for(admin_user).post("/api/v1/users", {"email": agent.email})
    assert response.status_code == 409
    assert response.json()["error"]["fields"] == {"email": "already in use"}


def test_agents_cannot_create_users_and_customers_get_404(agent, customer_user, api_for):
    refused = api_for(agent).post("/api/v1/users", {"email": "x@example.com"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    customer = api_for(customer_user)
    assert customer.post("/api/v1/users", {"email": "y@example.com"}).status_code == 404
    for path in ("/api/v1/users", "/api/v1/teams", f"/api/v1/users/{agent.pk}"):
        assert customer.get(path).status_code == 404, path
    assert not User.objects.filter(email__in=["x@example.com", "y@example.com"]).exists()


def test_agents_list_staff_with_filters_and_keyset_pages(admin_user, agent, customer_user, api_for):
    UserFactory.create_batch(3, role="light_agent")
    api = api_for(agent)
    first = api.get("/api/v1/users", {"limit": 3, "sort": "email"}).json()
    second = api.get("/api/v1/users", {"limit": 3, "sort": "email", "cursor": first["next_cursor"]}).json()
    emails = [u["email"] for u in first["items"] + second["items"]]
    assert emails == sorted(emails) and len(emails) == len(set(emails)) == 5
    assert customer_user.email not in emails
    assert second["next_cursor"] is None
    light = api.get("/api/v1/users", {"role": "light_agent"}).json()["items"]
    assert {u["role"] for u in light} == {"light_agent"} and len(light) == 3
    assert api.get("/api/v1/users", {"sort": "password"}).status_code == 422


def test_admin_edits_a_user_and_agents_cannot(admin_user, agent, supervisor, api_for):
    assert api_for(agent).patch(f"/api/v1/users/{supervisor.pk}", {"name": "X"}).status_code == 403
    assert api_for(agent).patch(f"/api/v1/users/{agent.pk}", {"role": "admin"}).status_code == 403
    response = api_for(admin_user).patch(
        f"/api/v1/users/{agent.pk}", {"role": "supervisor", "is_active": False}
    )
    assert response.status_code == 200
    agent.refresh_from_db()
    assert agent.role == "supervisor" and agent.is_active is False


def test_the_last_admin_cannot_be_demoted(admin_user, api_for):
    response = api_for(admin_user).patch(f"/api/v1/users/{admin_user.pk}", {"role": "agent"})
    assert response.status_code == 409
    admin_user.refresh_from_db()
    assert admin_user.role == "admin"


def test_teams_are_created_by_admins_and_listed_by_agents(admin_user, agent, supervisor, api_for):
    admin = api_for(admin_user)
    created = admin.post("/api/v1/teams", {"name": "Billing", "member_ids": [agent.pk]})
    assert created.status_code == 201
    team_id = created.json()["id"]
    assert created.json()["member_ids"] == [agent.pk]
    updated = admin.patch(
        f"/api/v1/teams/{team_id}", {"member_ids": [agent.pk, supervisor.pk], "restricted": True}
    )
    assert updated.status_code == 200
    assert updated.json()["member_ids"] == sorted([agent.pk, supervisor.pk]) and updated.json()["restricted"]

    api = api_for(agent)
    assert [t["name"] for t in api.get("/api/v1/teams").json()["items"]] == ["Billing"]
    assert api.get(f"/api/v1/teams/{team_id}").json()["name"] == "Billing"
    assert api.post("/api/v1/teams", {"name": "Mine"}).status_code == 403
    assert api.patch(f"/api/v1/teams/{team_id}", {"name": "Renamed"}).status_code == 403
    assert Team.objects.get().name == "Billing"


def test_team_members_must_be_agents(admin_user, customer_user, api_for):
    admin = api_for(admin_user)
    response = admin.post("/api/v1/teams", {"name": "Odd", "member_ids": [customer_user.pk]})
    assert response.status_code == 422
    assert "member_ids" in response.json()["error"]["fields"]
    assert admin.post("/api/v1/teams", {"name": "Huge", "member_ids": [2**63]}).status_code == 422
    assert not Team.objects.exists()
