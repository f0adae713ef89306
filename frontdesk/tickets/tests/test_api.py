from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from frontdesk.core.actor import Actor
from frontdesk.fields.models import CustomField
from frontdesk.testing import factories as f
from frontdesk.testing.factories import contact_of, make_ticket
from frontdesk.tickets.models import Ticket, TicketAudit
from frontdesk.tickets.services import message_add

pytestmark = pytest.mark.django_db


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def test_agent_creates_reads_updates_and_lists(api_for, agent) -> None:
    api = api_for(agent)
    requester = f.ContactFactory()
    r = api.post(
        "/api/v1/tickets",
        {
            "subject": "Broken",
            "body": "It broke",
            "requester_id": requester.pk,
            "priority": "high",
            "tags": ["x"],
        },
        headers={"Idempotency-Key": "k1"},
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["number"] == data["id"] and data["priority"] == 3 and data["tags"] == ["x"]
    assert data["requester"]["id"] == requester.pk and data["status"] == "new"
    again = api.post(
        "/api/v1/tickets",
        {
            "subject": "Broken",
            "body": "It broke",
            "requester_id": requester.pk,
            "priority": "high",
            "tags": ["x"],
        },
        headers={"Idempotency-Key": "k1"},
    )
    assert again.json()["id"] == data["id"] and Ticket.objects.count() == 1
    r = api.patch(
        f"/api/v1/tickets/{data['id']}", {"status": "open", "assignee_id": agent.pk, "add_tags": ["y"]}
    )
    assert r.status_code == 200, r.content
    assert r.json()["assignee"]["id"] == agent.pk and r.json()["tags"] == ["x", "y"]
    r = api.patch(f"/api/v1/tickets/{data['id']}", {"assignee_id": None})
    assert r.json()["assignee"] is None
    r = api.get("/api/v1/tickets", {"status": "open", "tag": "y"})
    assert [t["id"] for t in r.json()["items"]] == [data["id"]]
    assert api.get("/api/v1/tickets", {"status": "new"}).json()["items"] == []
    audit = api.get(f"/api/v1/tickets/{data['id']}/audit").json()["items"]
    assert [a["field"] for a in audit if a["action"] == "updated"] == [
        "assignee_id",
        "status",
        "tags",
        "assignee_id",
    ]


def test_list_is_keyset_paginated_and_sorted(api_for, agent) -> None:
    tickets = [make_ticket(priority=p) for p in (1, 4, 2, 3, 4)]
    api = api_for(agent)
    seen, cursor = [], None
    while True:
        page = api.get(
            "/api/v1/tickets", {"sort": "-priority", "limit": 2, **({"cursor": cursor} if cursor else {})}
        )
        body = page.json()
        seen += [(t["priority"], t["id"]) for t in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(((t.priority, t.pk) for t in tickets), reverse=True)
    assert api.get("/api/v1/tickets", {"limit": 201}).status_code == 422
    assert api.get("/api/v1/tickets", {"sort": "subject"}).status_code == 422
    assert api.get("/api/v1/tickets", {"assignee_id": "x"}).status_code == 422


def test_list_and_detail_query_counts_are_pinned(api_for, agent, django_assert_max_num_queries) -> None:
    api = api_for(agent)
    for i in range(30):
        make_ticket(tags=[f"t{i}", "common"], assignee=agent)
    api.get("/api/v1/tickets")  # warm the token's last-use stamp
    with django_assert_max_num_queries(4):
        r = api.get("/api/v1/tickets", {"limit": 30})
    assert len(r.json()["items"]) == 30
    ticket = Ticket.objects.first()
    with django_assert_max_num_queries(6):
        assert api.get(f"/api/v1/tickets/{ticket.pk}").status_code == 200
    for _ in range(5):
        message_add(actor=Actor.of(agent), ticket=ticket, body="hi")
    with django_assert_max_num_queries(6):
        assert len(api.get(f"/api/v1/tickets/{ticket.pk}/messages").json()["items"]) == 6


def test_bad_input_gives_the_error_shape(api_for, agent) -> None:
    api = api_for(agent)
    requester = f.ContactFactory()
    err = _error(
        api.post("/api/v1/tickets", {"subject": "s", "body": "b", "requester_id": requester.pk, "x": 1}), 422
    )
    assert "x" in err["fields"]
    err = _error(api.post("/api/v1/tickets", {"subject": 5, "body": "b", "requester_id": requester.pk}), 422)
    assert "subject" in err["fields"]
    CustomField.objects.create(key="plan", label="Plan", type="dropdown", options=["free", "pro"])
    err = _error(
        api.post(
            "/api/v1/tickets",
            {"subject": "s", "body": "b", "requester_id": requester.pk, "custom_fields": {"plan": "gold"}},
        ),
        422,
    )
    assert "custom_fields.plan" in err["fields"]
    _error(api.get(f"/api/v1/tickets/{2**63}"), 404)
    _error(api.patch(f"/api/v1/tickets/{2**63}", {"priority": 1}), 404)
    _error(api.get(f"/api/v1/attachments/{2**63}/download"), 404)
    _error(api.post("/api/v1/tickets", {"subject": "s", "body": "b", "requester_id": 2**63}), 422)
    ticket = make_ticket()
    err = _error(api.patch(f"/api/v1/tickets/{ticket.pk}", {"requester_id": 3}), 422)
    assert "requester_id" in err["fields"]


def test_messages_attachments_and_download_headers(api_for, agent, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    api = api_for(agent)
    ticket = make_ticket()
    r = api.upload(
        f"/api/v1/tickets/{ticket.pk}/attachments",
        {"files": [SimpleUploadedFile("rapport é.pdf", b"%PDF-1.4 test", content_type="text/html")]},
    )
    assert r.status_code == 201, r.content
    att = r.json()["attachments"][0]
    assert att["content_type"] == "application/pdf" and att["message_id"] is None
    r = api.post(
        f"/api/v1/tickets/{ticket.pk}/messages", {"body": "see attached", "attachment_ids": [att["id"]]}
    )
    assert r.status_code == 201, r.content
    assert [a["id"] for a in r.json()["attachments"]] == [att["id"]]
    r = api.get(f"/api/v1/attachments/{att['id']}/download")
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == b"%PDF-1.4 test"
    assert (
        r["Content-Disposition"]
        == "attachment; filename=\"rapport _.pdf\"; filename*=UTF-8''rapport%20%C3%A9.pdf"
    )
    assert r["X-Content-Type-Options"] == "nosniff" and r["Content-Security-Policy"] == "sandbox"
    assert r["Content-Type"] == "application/pdf"


def test_oversized_upload_gives_413(api_for, agent, settings) -> None:
    settings.MAX_ATTACHMENT_BYTES = 5
    ticket = make_ticket()
    r = api_for(agent).upload(
        f"/api/v1/tickets/{ticket.pk}/attachments", {"files": [SimpleUploadedFile("a.txt", b"123456")]}
    )
    assert "5 bytes" in _error(r, 413)["message"]


def test_merge_split_links_and_solve_through_the_api(api_for, agent) -> None:
    api = api_for(agent)
    a, b = make_ticket(), make_ticket()
    r = api.post(f"/api/v1/tickets/{a.pk}/merge", {"target_id": b.pk, "requester": "target"})
    assert r.status_code == 200 and r.json()["id"] == b.pk
    assert _error(api.post(f"/api/v1/tickets/{b.pk}/merge", {"target_id": a.pk, "requester": "target"}), 409)
    message = message_add(actor=Actor.of(agent), ticket=b, body="second issue")
    r = api.post(f"/api/v1/tickets/{b.pk}/split", {"message_ids": [message.pk]})
    assert r.status_code == 201 and r.json()["message_count"] == 1
    problem = make_ticket(type="problem")
    r = api.post(f"/api/v1/tickets/{b.pk}/links", {"target_id": problem.pk, "kind": "incident_of"})
    assert r.status_code == 201 and r.json()["kind"] == "incident_of"
    r = api.post(f"/api/v1/tickets/{problem.pk}/solve-incidents", {"body": "Fixed"})
    assert r.json() == {"problem_id": problem.pk, "solved_incident_ids": [b.pk]}
    r = api.delete(f"/api/v1/tickets/{b.pk}/links?target_id={problem.pk}&kind=incident_of")
    assert r.status_code == 204
    _error(api.delete(f"/api/v1/tickets/{b.pk}/links?target_id={problem.pk}&kind=incident_of"), 404)


def test_bulk_update_reports_each_ticket(api_for, agent) -> None:
    team = f.TeamFactory(restricted=True)
    ok, closed, hidden = make_ticket(), make_ticket(status="closed"), make_ticket(team=team)
    r = api_for(agent).post(
        "/api/v1/tickets/bulk",
        {
            "ticket_ids": [ok.pk, closed.pk, hidden.pk, 2**62],
            "changes": {"priority": "urgent", "add_tags": ["vip"]},
        },
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["updated"] == [ok.pk]
    assert "follow-up" in body["failed"][str(closed.pk)]
    assert body["failed"][str(hidden.pk)] == body["failed"][str(2**62)] == "Ticket not found."
    assert Ticket.objects.get(pk=ok.pk).priority == 4
    assert TicketAudit.objects.filter(ticket=ok, field="tags").exists()
    too_many = api_for(agent).post("/api/v1/tickets/bulk", {"ticket_ids": list(range(1, 502)), "changes": {}})
    _error(too_many, 422)


def test_statuses_api(api_for, admin_user, agent) -> None:
    admin = api_for(admin_user)
    r = admin.post("/api/v1/statuses", {"key": "vendor", "label": "Waiting on vendor", "category": "on_hold"})
    assert r.status_code == 201, r.content
    status_id = r.json()["id"]
    assert "vendor" in [s["key"] for s in api_for(agent).get("/api/v1/statuses").json()]
    r = admin.patch(f"/api/v1/statuses/{status_id}", {"active": False})
    assert r.json()["active"] is False
    assert "vendor" not in [s["key"] for s in admin.get("/api/v1/statuses").json()]
    _error(api_for(agent).post("/api/v1/statuses", {"key": "x", "label": "X", "category": "open"}), 403)
    _error(admin.patch(f"/api/v1/statuses/{2**63}", {"label": "x"}), 404)


def test_customer_api_creates_for_themselves(api_for, customer_user) -> None:
    r = api_for(customer_user).post("/api/v1/tickets", {"subject": "Help", "body": "please"})
    assert r.status_code == 201, r.content
    assert r.json()["requester"]["id"] == contact_of(customer_user).pk
