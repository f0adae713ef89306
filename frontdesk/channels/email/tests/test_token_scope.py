"""A reply token, a Message-ID and a subject tag only thread mail from people on the ticket
(red-team finding 2): anyone who ever saw one copy (a CC, a forward) must not be able to post on
a ticket or copy themselves on its replies."""

from __future__ import annotations

import pytest
from django.test import Client

from frontdesk.channels.email.models import InboundEmail, InboundStatus, Mailbox
from frontdesk.channels.email.pipeline.identify import ccs_to_add
from frontdesk.channels.email.pipeline.parse import parse
from frontdesk.channels.email.pipeline.threading import handling_notes, thread_for
from frontdesk.channels.email.tests.test_pipeline_common import (
    eml,
    ingest,
    make_mailbox,
    sent_from,
    ticket_of,
)
from frontdesk.channels.email.tokens import reply_address
from frontdesk.core.actor import SYSTEM, Actor
from frontdesk.customers.models import Contact
from frontdesk.customers.services import contact_for_identity
from frontdesk.testing import factories as f
from frontdesk.tickets.models import LinkKind, Message, Ticket, TicketLink
from frontdesk.tickets.services import ticket_create, ticket_update, tickets_merge

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("test")


@pytest.fixture
def ticket(mailbox: Mailbox) -> Ticket:
    """Carla's ticket, copying boss@customer.test."""
    return ticket_of(ingest(mailbox, eml("inline_image.eml")))


def written(sender: str, to: str, *, cc: str = "", subject: str = "Re: Screenshot", extra: str = "") -> bytes:
    n = Message.objects.count() + InboundEmail.objects.count()
    head = f"From: {sender}\nTo: {to}\nSubject: {subject}\nMessage-ID: <scope-{n}@sender.test>\n"
    if cc:
        head += f"Cc: {cc}\n"
    return f"{head}{extra}\nHello there.\n".encode()


def token_of(mailbox: Mailbox, ticket: Ticket) -> str:
    return reply_address(mailbox.address, ticket.pk)


def ccs_of(ticket: Ticket) -> list[str]:
    return sorted(Ticket.objects.get(pk=ticket.pk).ccs.values_list("primary_email", flat=True))


def test_a_stranger_with_a_valid_token_opens_a_ticket_of_their_own(mailbox: Mailbox, ticket: Ticket) -> None:
    before = ccs_of(ticket)
    raw = written("Mallory <mallory@attacker.example>", token_of(mailbox, ticket), cc="spy@attacker.example")
    row = ingest(mailbox, raw)
    assert row.status == InboundStatus.PROCESSED, row.reason
    assert row.ticket_id != ticket.pk
    assert Ticket.objects.get(pk=ticket.pk).message_count == 1  # nothing was added to Carla's ticket
    assert ccs_of(ticket) == before  # and nobody was copied on its replies
    own = ticket_of(row)
    assert own.requester.primary_email == "mallory@attacker.example"
    assert not TicketLink.objects.filter(source=own).exists()


def test_the_requester_a_cc_and_a_known_agent_thread_by_token(mailbox: Mailbox, ticket: Ticket) -> None:
    agent = f.UserFactory(email="dana@frontdesk.test", role="agent")
    for sender in ("carla@customer.test", "boss@customer.test", agent.email):
        row = ingest(mailbox, written(sender, token_of(mailbox, ticket)))
        assert row.ticket_id == ticket.pk, sender
    assert Ticket.objects.get(pk=ticket.pk).message_count == 4


@pytest.mark.parametrize("kind", ["other team", "inactive", "customer account"])
def test_users_who_may_not_see_the_ticket_are_strangers(mailbox: Mailbox, ticket: Ticket, kind: str) -> None:
    team = f.TeamFactory(name="Legal", restricted=True)
    ticket_update(actor=ACTOR, ticket=ticket, team=team.pk)
    user = f.UserFactory(email="dana@frontdesk.test", role="customer" if kind == "customer account" else "agent")
    if kind == "inactive":
        team.members.add(user)
        user.is_active = False
        user.save()
    row = ingest(mailbox, written(user.email, token_of(mailbox, ticket)))
    assert row.ticket_id != ticket.pk


def test_a_member_of_the_restricted_team_threads(mailbox: Mailbox, ticket: Ticket) -> None:
    team = f.TeamFactory(name="Legal", restricted=True)
    ticket_update(actor=ACTOR, ticket=ticket, team=team.pk)
    dana = f.UserFactory(email="dana@frontdesk.test", role="agent")
    team.members.add(dana)
    assert ingest(mailbox, written(dana.email, token_of(mailbox, ticket))).ticket_id == ticket.pk


def test_a_token_of_a_merged_ticket_follows_the_merge_for_a_party_only(mailbox: Mailbox, ticket: Ticket) -> None:
    target = ticket_of(ingest(mailbox, eml("new_ticket.eml")))  # Carla's other ticket
    tickets_merge(actor=ACTOR, source=ticket, target=target)
    assert ingest(mailbox, written("carla@customer.test", token_of(mailbox, ticket))).ticket_id == target.pk
    stranger = ingest(mailbox, written("mallory@attacker.example", token_of(mailbox, ticket)))
    assert stranger.ticket_id not in (ticket.pk, target.pk)


def test_a_stranger_with_the_token_of_a_closed_ticket_gets_no_follow_up_link(mailbox: Mailbox, ticket: Ticket) -> None:
    ticket_update(actor=ACTOR, ticket=ticket, status="closed")
    row = ingest(mailbox, written("mallory@attacker.example", token_of(mailbox, ticket)))
    assert row.ticket_id != ticket.pk
    assert not TicketLink.objects.filter(target=ticket, kind=LinkKind.FOLLOW_UP_OF).exists()


def test_headers_thread_for_parties_and_agents_only(mailbox: Mailbox, ticket: Ticket) -> None:
    ours = sent_from(ticket)
    answer = f"In-Reply-To: <{ours}>\nReferences: <{ours}>\n"
    stranger = ingest(mailbox, written("mallory@attacker.example", "support@frontdesk.test", extra=answer))
    assert stranger.ticket_id != ticket.pk
    f.UserFactory(email="dana@frontdesk.test", role="agent")
    agent = ingest(mailbox, written("dana@frontdesk.test", "support@frontdesk.test", extra=answer))
    assert agent.ticket_id == ticket.pk


def test_the_subject_tag_threads_the_requester_and_ccs_but_not_agents(mailbox: Mailbox, ticket: Ticket) -> None:
    """Agents get notifications carrying the tag; their answers must never post on the customer's ticket."""
    f.UserFactory(email="dana@frontdesk.test", role="agent")
    subject = f"Re: Screenshot [Ticket #{ticket.pk}]"
    boss = ingest(mailbox, written("boss@customer.test", "support@frontdesk.test", subject=subject))
    assert boss.ticket_id == ticket.pk
    agent = ingest(mailbox, written("dana@frontdesk.test", "support@frontdesk.test", subject=subject))
    assert agent.ticket_id != ticket.pk
    stranger = ingest(mailbox, written("mallory@attacker.example", "support@frontdesk.test", subject=subject))
    assert stranger.ticket_id != ticket.pk


def test_the_decision_names_the_refused_token(mailbox: Mailbox, ticket: Ticket) -> None:
    mallory = contact_for_identity(actor=SYSTEM, kind="email", value="mallory@attacker.example")
    parsed = parse(written("mallory@attacker.example", token_of(mailbox, ticket)))
    decision = thread_for(parsed, mallory)
    assert decision.ticket is None and decision.refused_token == ticket.pk
    assert handling_notes(decision, []) == [{"code": "token_refused", "ticket": ticket.pk}]
    carla = Ticket.objects.get(pk=ticket.pk).requester
    mine = thread_for(parse(written("carla@customer.test", token_of(mailbox, ticket))), carla)
    assert mine.ticket == ticket and mine.refused_token is None
    assert handling_notes(mine, []) == []


def contact(address: str) -> Contact:
    return contact_for_identity(actor=SYSTEM, kind="email", value=address)


def test_only_the_requester_and_agents_add_ccs(mailbox: Mailbox, ticket: Ticket) -> None:
    new = [contact("new@customer.test"), contact("boss@customer.test")]  # boss is copied already
    f.UserFactory(email="dana@frontdesk.test", role="agent")
    by = {a: parse(written(a, "support@frontdesk.test")) for a in ("carla@customer.test", "boss@customer.test",
                                                                     "dana@frontdesk.test")}
    added, withheld = ccs_to_add(ticket, by["carla@customer.test"], ticket.requester, new)
    assert [c.primary_email for c in added] == ["new@customer.test"] and withheld == []
    added, withheld = ccs_to_add(ticket, by["dana@frontdesk.test"], contact("dana@frontdesk.test"), new)
    assert [c.primary_email for c in added] == ["new@customer.test"] and withheld == []
    added, withheld = ccs_to_add(ticket, by["boss@customer.test"], contact("boss@customer.test"), new)
    assert added == [] and [c.primary_email for c in withheld] == ["new@customer.test"]
    decision = thread_for(by["boss@customer.test"], contact("boss@customer.test"))
    assert handling_notes(decision, withheld) == [{"code": "ccs_withheld", "addresses": ["new@customer.test"]}]


def test_the_ticket_page_shows_how_a_message_was_handled(mailbox: Mailbox, ticket: Ticket) -> None:
    row = InboundEmail.objects.get(ticket=ticket)
    row.notes = [{"code": "token_refused", "ticket": 41}, {"code": "ccs_withheld", "addresses": ["new@customer.test"]}]
    row.save(update_fields=["notes"])
    client = Client()
    client.force_login(f.UserFactory(role="admin"))
    html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "carried the reply token of ticket #41" in html
    assert "Copied new@customer.test, who was not added to this ticket’s CCs" in html


def test_a_cc_replying_adds_no_ccs_and_it_is_recorded(mailbox: Mailbox, ticket: Ticket) -> None:
    row = ingest(mailbox, written("boss@customer.test", token_of(mailbox, ticket), cc="new@customer.test"))
    assert row.ticket_id == ticket.pk
    assert ccs_of(ticket) == ["boss@customer.test"]
    assert InboundEmail.objects.get(pk=row.pk).notes == [{"code": "ccs_withheld", "addresses": ["new@customer.test"]}]


def test_the_requester_replying_adds_ccs(mailbox: Mailbox, ticket: Ticket) -> None:
    row = ingest(mailbox, written("carla@customer.test", token_of(mailbox, ticket), cc="new@customer.test"))
    assert row.ticket_id == ticket.pk
    assert ccs_of(ticket) == ["boss@customer.test", "new@customer.test"]


def test_the_refused_token_is_recorded_on_the_strangers_message(mailbox: Mailbox, ticket: Ticket) -> None:
    row = ingest(mailbox, written("mallory@attacker.example", token_of(mailbox, ticket)))
    assert InboundEmail.objects.get(pk=row.pk).notes == [{"code": "token_refused", "ticket": ticket.pk}]


def test_a_stranger_typing_the_tag_of_an_api_ticket_opens_a_new_one() -> None:
    """A ticket made through the API: no mail was ever sent on it, but anyone can type its tag."""
    mailbox = make_mailbox()
    carla = contact("carla@customer.test")
    ticket = ticket_create(actor=SYSTEM, requester=carla, subject="API", body="b", channel="api")
    row = ingest(mailbox, written("mallory@attacker.example", "support@frontdesk.test",
                                  subject=f"Re: API [Ticket #{ticket.pk}]"))
    assert row.ticket_id != ticket.pk
