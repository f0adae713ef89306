"""Who may download the raw original of a message that arrived by email: agents who can see the
ticket its message is on; customers, agents outside a restricted team and strangers get 404."""

from __future__ import annotations

from typing import Any

import pytest

from frontdesk.channels.email.models import Mailbox
from frontdesk.channels.email.tests.test_pipeline_common import eml, ingest, sent_from, ticket_of
from frontdesk.core.actor import Actor
from frontdesk.testing import factories as f
from frontdesk.tickets.services import ticket_split, ticket_update

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")


def raw_url(inbound_id: int) -> str:
    return f"/api/v1/mail/inbound/{inbound_id}/raw"


def test_agents_who_see_the_ticket_download_the_original(mailbox: Mailbox, api_for: Any, admin_user: Any) -> None:
    raw = eml("new_ticket.eml")
    row = ingest(mailbox, raw)
    ticket = ticket_of(row)
    team = f.TeamFactory(restricted=True)
    member, outsider = f.UserFactory(role="agent"), f.UserFactory(role="agent")
    team.members.add(member)
    ticket_update(actor=ACTOR, ticket=ticket, team=team.pk)
    writer = f.UserFactory(role="customer", email="carla@customer.test")  # the customer who sent it
    ticket.requester.user = writer
    ticket.requester.save()

    for allowed in (member, admin_user):
        response = api_for(allowed).get(raw_url(row.pk))
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="message-{row.pk}.eml"'
        assert b"".join(response.streaming_content) == raw
    for refused in (outsider, writer, f.customer_with_contact()):
        response = api_for(refused).get(raw_url(row.pk))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert api_for(member).get(raw_url(row.pk + 1000)).status_code == 404


def test_the_original_follows_its_message_when_it_is_split_off(mailbox: Mailbox, api_for: Any) -> None:
    first = ingest(mailbox, eml("new_ticket.eml"))
    ticket = ticket_of(first)
    ours = sent_from(ticket)
    second = ingest(mailbox, eml("gmail_reply.eml", ticket=ticket.pk, ours=ours))
    assert second.ticket_id == ticket.pk and second.message_id is not None
    new = ticket_split(actor=ACTOR, ticket=ticket, message_ids=[second.message_id])
    team = f.TeamFactory(restricted=True)
    member, outsider = f.UserFactory(role="agent"), f.UserFactory(role="agent")
    team.members.add(member)
    ticket_update(actor=ACTOR, ticket=new, team=team.pk)

    assert api_for(outsider).get(raw_url(first.pk)).status_code == 200  # still on the open ticket
    assert api_for(outsider).get(raw_url(second.pk)).status_code == 404  # moved to a ticket they cannot see
    assert api_for(member).get(raw_url(second.pk)).status_code == 200
