"""The ticket page: what agents see, and what they can do from it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from frontdesk.core.actor import SYSTEM, Actor
from frontdesk.customers.models import Contact
from frontdesk.testing import factories as f
from frontdesk.testing.factories import make_ticket
from frontdesk.testing.fixtures import client_for
from frontdesk.tickets.models import Attachment, Message, MessageKind, Ticket, TicketLink
from frontdesk.tickets.services import message_add, ticket_update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)


def url(ticket: Ticket, action: str = "") -> str:
    return f"/tickets/{ticket.pk}/{action + '/' if action else ''}"


def test_an_agent_sees_the_conversation_with_notes_and_audit_folded_in(agent) -> None:  # type: ignore[no-untyped-def]
    agent.name = "Dana Agent"
    agent.save()
    ticket = make_ticket(subject="Refund <b>please</b>", body="Customer text <script>x</script>")
    message_add(actor=Actor.of(agent), ticket=ticket, body="Checked the order", kind=MessageKind.NOTE)
    ticket_update(actor=Actor.of(agent), ticket=ticket, status="pending", priority=3)

    page = client_for(agent).get(url(ticket))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Refund &lt;b&gt;please&lt;/b&gt;" in html and "<script>x</script>" not in html
    assert 'class="message note"' in html and "Internal note" in html and "Checked the order" in html
    assert "Dana Agent set status to Pending, set priority to High" in html, "one line per event"
    assert html.index("Checked the order") < html.index("set status to Pending"), "in time order"
    assert 'data-kind="public"' in html and 'data-key="r"' in html and 'data-key="i"' in html
    assert "data-composer" in html and "data-submit-shortcut" in html
    assert f'href="/customers/{ticket.requester_id}/"' in html


def test_a_customer_is_refused(customer_user) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket(requester=Contact.objects.get(user=customer_user))
    page = client_for(customer_user).get(url(ticket))
    assert page.status_code == 403
    assert b"It is on fire." not in page.content


def test_a_ticket_the_agent_may_not_see_is_not_found(agent) -> None:  # type: ignore[no-untyped-def]
    team = f.TeamFactory(restricted=True)
    ticket = make_ticket(team=team.pk)
    assert client_for(agent).get(url(ticket)).status_code == 404
    assert client_for(agent).get("/tickets/99999999999999999999/").status_code == 404


def test_a_light_agent_has_no_public_reply_and_cannot_post_one(light_agent) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    client = client_for(light_agent)
    html = client.get(url(ticket)).content.decode()
    assert 'value="public"' not in html and 'data-kind="public"' not in html
    assert 'name="kind" value="note"' in html
    assert "Save properties" not in html, "light agents cannot edit properties"

    refused = client.post(url(ticket, "reply"), {"kind": "public", "body": "Hello customer"})
    assert refused.status_code == 403
    assert not Message.objects.filter(body="Hello customer").exists()

    note = client.post(url(ticket, "reply"), {"kind": "note", "body": "A note from light"})
    assert note.status_code == 302
    assert Message.objects.get(body="A note from light").kind == MessageKind.NOTE


def test_reply_with_an_attachment_and_submit_as_pending(agent) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    client = client_for(agent)
    upload = SimpleUploadedFile("notes.txt", b"hello there", content_type="text/plain")
    response = client.post(
        url(ticket, "reply"), {"kind": "public", "body": "Here you go", "submit_as": "pending", "files": upload}
    )
    message = Message.objects.get(body="Here you go")
    assert response.status_code == 302 and response["Location"].endswith(f"#message-{message.pk}")
    ticket.refresh_from_db()
    assert ticket.status == "pending" and message.kind == MessageKind.PUBLIC
    attachment = Attachment.objects.get(message=message)
    assert attachment.filename == "notes.txt"

    html = client.get(url(ticket)).content.decode()
    assert f'href="/api/v1/attachments/{attachment.pk}/download"' in html and "notes.txt" in html
    assert "set status to Pending" in html
    download = client.get(f"/api/v1/attachments/{attachment.pk}/download")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"hello there"


def test_an_empty_reply_keeps_the_draft_and_says_why(agent) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    response = client_for(agent).post(url(ticket, "reply"), {"kind": "note", "body": "   "})
    assert response.status_code == 422
    assert b"The message needs a body." in response.content


def test_properties_are_saved_and_htmx_gets_the_sidebar_back(agent) -> None:  # type: ignore[no-untyped-def]
    team = f.TeamFactory(name="Billing")
    team.members.add(agent)
    ticket = make_ticket()
    client = client_for(agent)
    response = client.post(
        url(ticket, "update"),
        {"status": "open", "priority": "4", "type": "incident", "team": str(team.pk), "assignee": str(agent.pk),
         "tags": "vip, refund", "due_at": "2030-01-31T10:00", "followers_present": "1",
         "followers": [str(agent.pk)]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="ticket-props"' in html and 'hx-swap-oob="true"' in html and "Saved." in html
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.type, ticket.team_id, ticket.assignee_id) == (
        "open", 4, "incident", team.pk, agent.pk)
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["refund", "vip"]
    assert list(ticket.followers.all()) == [agent] and ticket.due_at is not None


def test_a_custom_field_error_is_shown_next_to_the_field(agent, admin_user) -> None:  # type: ignore[no-untyped-def]
    from frontdesk.fields.services import custom_field_save

    custom_field_save(actor=Actor.of(admin_user), key="order_no", label="Order number",
                      type="number", applies_to="ticket")
    custom_field_save(actor=Actor.of(admin_user), key="plan", label="Plan",
                      type="dropdown", options=["basic", "pro"], applies_to="ticket")
    ticket = make_ticket()
    client = client_for(agent)
    html = client.get(url(ticket)).content.decode()
    assert '<label for="field-cf_order_no">Order number</label>' in html
    assert '<option value="pro">pro</option>' in html

    bad = client.post(url(ticket, "update"), {"custom_fields_present": "1", "cf_order_no": "lots", "cf_plan": "pro"})
    assert bad.status_code == 422
    page = bad.content.decode()
    assert 'id="field-cf_order_no-error">must be a number' in page
    assert 'value="lots"' in page, "what was typed stays in the field"
    ticket.refresh_from_db()
    assert ticket.custom_fields == {}

    htmx = client.post(url(ticket, "update"), {"custom_fields_present": "1", "cf_order_no": "x"},
                       headers={"HX-Request": "true"})
    assert htmx.status_code == 200, "HTMX swaps the sidebar with the errors in it"
    assert htmx.content.decode().startswith('<section id="ticket-props"')
    assert "must be a number" in htmx.content.decode()

    good = client.post(url(ticket, "update"), {"custom_fields_present": "1", "cf_order_no": "42", "cf_plan": "pro"})
    assert good.status_code == 302
    ticket.refresh_from_db()
    assert ticket.custom_fields == {"order_no": 42, "plan": "pro"}


def test_merge_asks_for_confirmation_with_the_target_subject_then_merges(agent) -> None:  # type: ignore[no-untyped-def]
    requester = f.ContactFactory()  # other requesters: test_merge_requesters_page.py
    source = make_ticket(requester, subject="Duplicate question", body="Source body")
    target = make_ticket(requester, subject="The original question", body="Target body")
    client = client_for(agent)
    confirm = client.get(url(source, "merge"), {"target": str(target.pk)})
    assert confirm.status_code == 200 and b"The original question" in confirm.content
    source.refresh_from_db()
    assert source.merged_into_id is None, "nothing happens before the confirmation"

    done = client.post(url(source, "merge"), {"target": str(target.pk)})
    assert done.status_code == 302 and done["Location"] == url(target)
    source.refresh_from_db()
    assert source.merged_into_id == target.pk
    html = client.get(url(target)).content.decode()
    assert "Source body" in html and "Target body" in html
    assert f"merged #{source.pk} into this ticket" in html
    closed = client.get(url(source)).content.decode()
    assert "This ticket was merged into" in closed
    assert "data-composer" not in closed and "Save properties" not in closed, "closed tickets take no changes"


def test_merge_into_an_unknown_ticket_says_so(agent) -> None:  # type: ignore[no-untyped-def]
    source = make_ticket()
    client = client_for(agent)
    response = client.get(url(source, "merge"), {"target": "abc"})
    assert response.status_code == 400  # the page again, the merge dialog open (test_ticket_actions_page.py)
    assert "“abc” is not a ticket number" in response.content.decode()


def test_split_and_link_through_the_page(agent) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket(body="First message")
    second = message_add(actor=SYSTEM, ticket=ticket, body="Another problem entirely",
                         author_contact=ticket.requester)
    client = client_for(agent)
    response = client.post(url(ticket, "split"), {"message_ids": [str(second.pk)]})
    new = Ticket.objects.exclude(pk=ticket.pk).get()
    assert response.status_code == 302 and response["Location"] == url(new)
    assert "Another problem entirely" in timeline_of(client.get(url(new)).content.decode())
    assert "Another problem entirely" not in timeline_of(client.get(url(ticket)).content.decode())

    problem = make_ticket(subject="Outage", type="problem")
    linked = client.post(url(ticket, "link"), {"target": str(problem.pk), "kind": "incident_of"})
    assert linked.status_code == 302
    assert TicketLink.objects.filter(source=ticket, target=problem, kind="incident_of").exists()
    html = client.get(url(ticket)).content.decode()
    assert f"Incident of problem <a href=\"/tickets/{problem.pk}/\">#{problem.pk} Outage</a>" in html

    solved = client.post(url(problem, "solve-incidents"), {"body": "Fixed for everyone"})
    assert solved.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "solved"


def test_next_ticket_follows_the_view_order(agent) -> None:  # type: ignore[no-untyped-def]
    from frontdesk.tickets.services import view_create

    first, second = make_ticket(subject="One"), make_ticket(subject="Two")
    view = view_create(actor=Actor.of(agent), name="Mine", filters={}, sort="created_at")
    html = client_for(agent).get(url(first) + f"?view={view.pk}").content.decode()
    assert f'href="/tickets/{second.pk}/?view={view.pk}" data-key="n"' in html
    last = client_for(agent).get(url(second) + f"?view={view.pk}").content.decode()
    assert 'data-key="n"' not in last


def timeline_of(html: str) -> str:
    start = html.index('id="timeline"')
    return html[start:html.index("</section>", start)]


def _busy_ticket(agent: Any, messages: int) -> Ticket:
    ticket = make_ticket(tags=["vip", "refund", "billing"])
    for i in range(messages):
        files = [SimpleUploadedFile(f"f{i}.txt", b"data")] if i % 3 == 0 else None
        if i % 2:
            message_add(actor=Actor.of(agent), ticket=ticket, body=f"Note @{agent.email} {i}",
                        kind=MessageKind.NOTE, attachments=files)
        else:
            message_add(actor=SYSTEM, ticket=ticket, body=f"Customer {i}",
                        author_contact=ticket.requester, attachments=files)
        if i % 5 == 0:
            ticket_update(actor=Actor.of(agent), ticket=ticket, priority=1 + i % 4)
    return ticket


def test_the_page_renders_in_a_fixed_number_of_queries(agent) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    team = f.TeamFactory(name="Support")
    team.members.add(agent)
    small, big = _busy_ticket(agent, 4), _busy_ticket(agent, 20)
    for t in (small, big):
        ticket_update(actor=Actor.of(agent), ticket=t, team=team.pk, assignee=agent.pk)
    client = client_for(agent)
    client.get(url(small))  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(small)).status_code == 200
    with CaptureQueriesContext(connection) as many:
        page = client.get(url(big))
    assert page.status_code == 200 and page.content.decode().count('class="message') == 21
    assert len(many) == len(few), "the number of queries does not grow with the messages"
    # the user; the ticket with its tags, followers and CCs; the messages with their attachments and
    # mentions; the email channel's outgoing mail; the audit trail; teams, agents and field definitions
    # of the properties; the team's members; whether a mailbox answers (the composer); the draft; the
    # links; the view for "next ticket"
    assert len(many) == 18, "\n".join(q["sql"][:120] for q in many.captured_queries)
