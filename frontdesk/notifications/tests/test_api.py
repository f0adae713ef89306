"""GET /api/v1/notifications and POST /api/v1/notifications/mark-read: one's own, and only agents'."""

from __future__ import annotations

import pytest
from django.test import Client

from frontdesk.core.actor import Actor
from frontdesk.notifications import services
from frontdesk.notifications.models import Notification
from frontdesk.testing import factories as f
from frontdesk.testing.factories import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(agent, supervisor):  # type: ignore[no-untyped-def]
    first, second = make_ticket(subject="First"), make_ticket(subject="Second")
    for i, t in enumerate([first, second, first]):
        services.notify(actor=Actor.of(supervisor), event_id=100 + i, kind="mention", ticket_id=t.pk,
                        recipient_ids=[agent.pk])
    services.notify(actor=Actor.of(agent), event_id=200, kind="assigned", ticket_id=first.pk,
                    recipient_ids=[supervisor.pk])
    return first, second


def test_the_list_is_ones_own_newest_first_with_the_unread_count(world, agent, supervisor, api_for) -> None:  # type: ignore[no-untyped-def]
    api = api_for(agent)
    body = api.get("/api/v1/notifications").json()
    assert body["unread_count"] == 3
    assert [i["ticket_subject"] for i in body["items"]] == ["First", "Second", "First"]
    item = body["items"][0]
    assert item["kind"] == "mention" and item["actor_user_id"] == supervisor.pk and item["read_at"] is None
    assert item["actor_name"] == supervisor.name
    page = api.get("/api/v1/notifications", {"limit": 2}).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = api.get("/api/v1/notifications", {"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [i["ticket_subject"] for i in rest["items"]] == ["First"]


def test_mark_read_by_ids_ticket_or_all(world, agent, supervisor, api_for) -> None:  # type: ignore[no-untyped-def]
    first, second = world
    api = api_for(agent)
    mine = list(Notification.objects.filter(recipient=agent).order_by("pk").values_list("pk", flat=True))
    theirs = Notification.objects.get(recipient=supervisor).pk
    response = api.post("/api/v1/notifications/mark-read", {"ids": [mine[1], theirs]})
    assert response.status_code == 200 and response.json() == {"marked": 1, "unread_count": 2}
    assert Notification.objects.get(pk=theirs).read_at is None
    by_ticket = api.post("/api/v1/notifications/mark-read", {"ticket_id": first.pk})
    assert by_ticket.json() == {"marked": 2, "unread_count": 0}
    unread = api.get("/api/v1/notifications", {"unread": "true"}).json()
    assert unread["items"] == [] and unread["unread_count"] == 0
    assert api_for(supervisor).post("/api/v1/notifications/mark-read", {"all": True}).json()["marked"] == 1


def test_mark_read_refuses_ambiguous_or_bad_input(world, agent, api_for) -> None:  # type: ignore[no-untyped-def]
    api = api_for(agent)
    for body in ({}, {"ids": [1], "all": True}, {"ids": [0]}, {"ids": [2**64]}, {"ticket_id": "x"}, {"nope": 1}):
        response = api.post("/api/v1/notifications/mark-read", body)
        assert response.status_code == 422, body
        assert response.json()["error"]["code"] == "validation_error"
    assert Notification.objects.filter(recipient=agent, read_at__isnull=True).count() == 3


def test_the_bells_button_marks_all_with_the_session(world, agent) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    no_token = client.post("/api/v1/notifications/mark-read", {"all": True}, content_type="application/json")
    assert no_token.status_code == 403
    client.get("/tickets/")
    token = client.cookies["csrftoken"].value
    response = client.post("/api/v1/notifications/mark-read", {"all": True}, content_type="application/json",
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.json() == {"marked": 3, "unread_count": 0}


def test_customers_and_strangers_have_no_notifications(world, customer_user, api_for) -> None:  # type: ignore[no-untyped-def]
    assert api_for(customer_user).get("/api/v1/notifications").status_code == 403
    assert Client().get("/api/v1/notifications").status_code == 401
    light = f.UserFactory(role="light_agent")
    assert api_for(light).get("/api/v1/notifications").json() == {"items": [], "next_cursor": None, "unread_count": 0}
