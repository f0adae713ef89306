"""Who reaches what through the API: invisible things are 404, never 403 or a leak."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from frontdesk.core.actor import Actor
from frontdesk.testing import factories as f
from frontdesk.testing.factories import contact_of, make_ticket, team_with
from frontdesk.tickets.services import attachment_store, message_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)


def _upload(by, ticket, name="a.txt", data=b"hello"):  # type: ignore[no-untyped-def]
    return attachment_store(actor=Actor.of(by), ticket=ticket, upload=SimpleUploadedFile(name, data))


def test_customer_cannot_reach_another_customers_ticket_by_any_id(
    api_for, customer_user, agent, media
) -> None:
    other = make_ticket()
    att = _upload(agent, other)
    message_add(actor=Actor.of(agent), ticket=other, body="reply", attachments=[att.pk])
    api = api_for(customer_user)
    for method, path, body in [
        ("get", f"/api/v1/tickets/{other.pk}", None),
        ("patch", f"/api/v1/tickets/{other.pk}", {"subject": "mine now"}),
        ("get", f"/api/v1/tickets/{other.pk}/messages", None),
        ("post", f"/api/v1/tickets/{other.pk}/messages", {"body": "hi"}),
        ("get", f"/api/v1/tickets/{other.pk}/audit", None),
        ("get", f"/api/v1/attachments/{att.pk}/download", None),
        ("post", f"/api/v1/tickets/{other.pk}/merge", {"target_id": other.pk + 1}),
    ]:
        r = getattr(api, method)(path, body) if body is not None else getattr(api, method)(path)
        assert r.status_code == 404, (method, path, r.status_code)
        assert r.json()["error"]["code"] == "not_found"
    r = api.upload(f"/api/v1/tickets/{other.pk}/attachments", {"files": [SimpleUploadedFile("x.txt", b"x")]})
    assert r.status_code == 404
    assert api.get("/api/v1/tickets").json()["items"] == []
    assert api.get("/api/v1/tickets", {"requester_id": other.requester_id}).json()["items"] == []


def test_customer_sees_own_ticket_without_notes_or_note_attachments(
    api_for, customer_user, agent, media
) -> None:
    ticket = make_ticket(requester=contact_of(customer_user))
    note_file = _upload(agent, ticket, "internal.txt")
    message_add(
        actor=Actor.of(agent),
        ticket=ticket,
        body="internal",
        kind="note",
        attachments=[note_file.pk],
    )
    public_file = _upload(agent, ticket, "public.txt")
    message_add(actor=Actor.of(agent), ticket=ticket, body="answer", attachments=[public_file.pk])
    pending = _upload(agent, ticket, "draft.txt")
    api = api_for(customer_user)
    assert api.get(f"/api/v1/tickets/{ticket.pk}").status_code == 200
    bodies = [m["body"] for m in api.get(f"/api/v1/tickets/{ticket.pk}/messages").json()["items"]]
    assert bodies == ["It is on fire.", "answer"]
    assert api.get(f"/api/v1/attachments/{public_file.pk}/download").status_code == 200
    assert api.get(f"/api/v1/attachments/{note_file.pk}/download").status_code == 404
    assert api.get(f"/api/v1/attachments/{pending.pk}/download").status_code == 404
    assert api.get(f"/api/v1/tickets/{ticket.pk}/audit").status_code == 403
    r = api.post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": "x", "kind": "note"})
    assert r.status_code == 403
    r = api.patch(f"/api/v1/tickets/{ticket.pk}", {"priority": 4})
    assert r.status_code == 403
    assert api.post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": "thanks"}).status_code == 201


def test_light_agent_notes_only(api_for, light_agent) -> None:
    ticket = make_ticket()
    api = api_for(light_agent)
    r = api.post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": "hello customer"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied"
    r = api.post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": "fyi", "kind": "note"})
    assert r.status_code == 201 and r.json()["kind"] == "note"


def test_restricted_team_tickets_are_invisible_to_non_members(api_for, agent) -> None:
    member = f.UserFactory(role="agent")
    ticket = make_ticket(team=team_with(member, restricted=True))
    outsider = api_for(agent)
    assert outsider.get(f"/api/v1/tickets/{ticket.pk}").status_code == 404
    assert outsider.get("/api/v1/tickets").json()["items"] == []
    assert (
        outsider.post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": "x", "kind": "note"}).status_code
        == 404
    )
    insider = api_for(member)
    assert insider.get(f"/api/v1/tickets/{ticket.pk}").status_code == 200
    assert [t["id"] for t in insider.get("/api/v1/tickets").json()["items"]] == [ticket.pk]


def test_a_customer_cannot_learn_which_ticket_ids_exist_by_merging_or_linking(api_for, customer_user) -> None:
    own = make_ticket(requester=contact_of(customer_user))
    someone_elses = make_ticket()
    api = api_for(customer_user)
    for path, extra in [("merge", {}), ("links", {"kind": "related"})]:
        answers = set()
        for target in (someone_elses.pk, someone_elses.pk + 1000):  # exists, and does not
            r = api.post(f"/api/v1/tickets/{own.pk}/{path}", {"target_id": target, **extra})
            answers.add((r.status_code, r.json()["error"]["code"]))
        assert answers == {(403, "permission_denied")}, (path, answers)
