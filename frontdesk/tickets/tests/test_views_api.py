"""/views, /views/{id}/tickets, /views/counts and /customers/{id}/360 over HTTP."""

from __future__ import annotations

import pytest

from frontdesk.core.actor import Actor
from frontdesk.customers.services import contact_create
from frontdesk.testing import factories as f
from frontdesk.tickets.services import ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def requester(agent):
    return contact_create(actor=Actor.of(agent), name="Req", email="req@example.test")


def test_create_read_update_delete(api_for, agent):
    api = api_for(agent)
    r = api.post("/api/v1/views", {"name": "Urgent mine", "filters": {"priority": [4], "assignee_id": "me"},
                                   "sort": "-created_at"})
    assert r.status_code == 201, r.content
    view = r.json()
    assert view["shared"] is False and view["owner_id"] == agent.pk
    assert api.get(f"/api/v1/views/{view['id']}").json()["name"] == "Urgent mine"

    r = api.patch(f"/api/v1/views/{view['id']}", {"name": "Renamed", "position": 3})
    assert r.status_code == 200 and r.json()["name"] == "Renamed" and r.json()["sort"] == "-created_at"
    ids = [v["id"] for v in api.get("/api/v1/views").json()["items"]]
    assert view["id"] in ids and len(ids) == 5  # with the four default shared views

    other = api_for(f.UserFactory(role="agent"))
    assert other.get(f"/api/v1/views/{view['id']}").status_code == 404
    assert other.delete(f"/api/v1/views/{view['id']}").status_code == 404
    assert api.delete(f"/api/v1/views/{view['id']}").status_code == 204
    assert api.get(f"/api/v1/views/{view['id']}").status_code == 404


def test_invalid_input(api_for, agent):
    api = api_for(agent)
    assert api.post("/api/v1/views", {"name": "x", "filters": {"nope": 1}}).status_code == 422
    assert api.post("/api/v1/views", {"name": "x", "sort": "subject"}).status_code == 422
    assert api.post("/api/v1/views", {"name": "x", "unknown": 1}).status_code == 422
    assert api.post("/api/v1/views", {"name": "x", "shared": True}).status_code == 403
    assert api.get(f"/api/v1/views/{2**64}").status_code == 404
    assert api.get(f"/api/v1/views/{2**64}/tickets").status_code == 404


def test_view_tickets_and_counts(api_for, agent, admin_user, requester):
    act = Actor.of(admin_user)
    mine = [
        ticket_create(actor=act, requester=requester, subject=f"m{i}", body="x",
                      assignee=agent)
        for i in range(3)
    ]
    ticket_create(actor=act, requester=requester, subject="unassigned", body="x")
    api = api_for(agent)
    views = {v["name"]: v["id"] for v in api.get("/api/v1/views").json()["items"]}
    r = api.get(f"/api/v1/views/{views['My open tickets']}/tickets", {"limit": 2})
    assert r.status_code == 200
    page = r.json()
    assert [t["id"] for t in page["items"]] == [mine[2].pk, mine[1].pk]
    r = api.get(f"/api/v1/views/{views['My open tickets']}/tickets", {"cursor": page["next_cursor"]})
    assert [t["id"] for t in r.json()["items"]] == [mine[0].pk]

    counts = {c["view_id"]: c for c in api.get("/api/v1/views/counts").json()["items"]}
    my_open = views["My open tickets"]
    assert counts[my_open] == {"view_id": my_open, "count": 3, "capped": False}
    assert counts[views["Unassigned open"]]["count"] == 1
    r = api.get("/api/v1/views/counts", {"id": views["Pending"]})
    assert [c["view_id"] for c in r.json()["items"]] == [views["Pending"]]


def test_customers_have_no_views(api_for, customer_user):
    api = api_for(customer_user)
    assert api.get("/api/v1/views").json()["items"] == []
    assert api.post("/api/v1/views", {"name": "x"}).status_code == 403


def test_contact_360_endpoint(api_for, agent, customer_user, requester):
    contact = customer_user.contact
    ticket_create(actor=Actor.of(agent), requester=contact, subject="Hello", body="hi")
    r = api_for(agent).get(f"/api/v1/customers/{customer_user.contact.pk}/360")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["open_tickets"][0]["subject"] == "Hello"
    assert body["timeline"][0]["summary"] == "hi"
    assert api_for(customer_user).get(f"/api/v1/customers/{customer_user.contact.pk}/360").status_code == 200
    assert api_for(customer_user).get(f"/api/v1/customers/{requester.pk}/360").status_code == 404
    assert api_for(agent).get(f"/api/v1/customers/{2**64}/360").status_code == 404
