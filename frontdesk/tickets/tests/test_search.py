"""Full-text search: tickets by subject, body and prefix; contacts by name and email; notes
for agents only; a customer only ever finds their own tickets."""

from __future__ import annotations

import pytest

from frontdesk.core.actor import Actor
from frontdesk.customers.models import Contact
from frontdesk.customers.services import contact_create, organisation_save
from frontdesk.testing import factories as f
from frontdesk.tickets.search import search
from frontdesk.tickets.services import message_add, ticket_create

pytestmark = pytest.mark.django_db


def _contact(agent, name: str, email: str, **kw) -> Contact:
    return contact_create(actor=Actor.of(agent), name=name, email=email, **kw)


def _ticket(agent, requester, subject: str, body: str = "Hello there"):
    return ticket_create(actor=Actor.of(agent), requester=requester, subject=subject, body=body)


def _ids(result: dict, kind: str = "tickets") -> list[int]:
    return [hit["id"] for hit in result[kind]]


@pytest.fixture
def requester(agent):
    return _contact(agent, "Zoë Müller", "zoe.mueller@acme-example.com")


def test_finds_ticket_by_subject_body_and_prefix(agent, requester):
    printer = _ticket(agent, requester, "Printer jammed on floor three", "The paper tray squeaks loudly")
    other = _ticket(agent, requester, "Invoice question", "Where is my refund")

    assert _ids(search(viewer=agent, q="printer")) == [printer.pk]
    assert _ids(search(viewer=agent, q="squeaks")) == [printer.pk]
    assert _ids(search(viewer=agent, q="REFUND")) == [other.pk]
    # the last word is a prefix: search as you type
    assert _ids(search(viewer=agent, q="jammed flo")) == [printer.pk]
    # all words must match
    assert _ids(search(viewer=agent, q="printer refund")) == []


def test_finds_text_of_later_replies(agent, requester):
    ticket = _ticket(agent, requester, "Login trouble", "I cannot sign in")
    message_add(actor=Actor.of(agent), ticket=ticket, body="Please reset the hyperdrive token")
    message_add(actor=Actor.of(agent), ticket=ticket, body="Also try the flux capacitor")

    assert _ids(search(viewer=agent, q="hyperdrive")) == [ticket.pk]
    assert _ids(search(viewer=agent, q="capacitor")) == [ticket.pk]
    assert _ids(search(viewer=agent, q="sign")) == [ticket.pk]  # the first message stays indexed


def test_a_full_entry_keeps_what_it_has_and_the_reply_is_still_stored(agent, requester, monkeypatch):
    """PostgreSQL refuses a tsvector over 1 MB: past the cap, a reply's words are not added to the
    entry (written in the same UPDATE as the ticket's counters), and nothing else is lost."""
    from django.db import connection

    from frontdesk.tickets import search as search_module

    ticket = _ticket(agent, requester, "Long thread", "It started here")
    if connection.vendor == "postgresql":
        monkeypatch.setattr(search_module, "MAX_VECTOR_BYTES", 1)  # every entry is "full" now
    message_add(actor=Actor.of(agent), ticket=ticket, body="Zanzibar quokka")
    ticket.refresh_from_db()
    assert ticket.message_count == 2 and ticket.messages.filter(body="Zanzibar quokka").exists()
    found = _ids(search(viewer=agent, q="quokka"))
    assert found == ([] if connection.vendor == "postgresql" else [ticket.pk])
    assert _ids(search(viewer=agent, q="started")) == [ticket.pk], "the entry keeps what it had"


def test_subject_match_ranks_before_body_match(agent, requester):
    in_body = _ticket(agent, requester, "Something else", "the word kangaroo is here")
    in_subject = _ticket(agent, requester, "Kangaroo sighting", "nothing to see")
    assert _ids(search(viewer=agent, q="kangaroo")) == [in_subject.pk, in_body.pk]


def test_diacritics_and_case_are_ignored(agent, requester):
    ticket = _ticket(agent, requester, "Crème brûlée order", "Déjà vu")
    assert _ids(search(viewer=agent, q="creme BRULEE")) == [ticket.pk]
    assert _ids(search(viewer=agent, q="déjà")) == [ticket.pk]


def test_snippet_is_escaped_and_marks_matches(agent, requester):
    ticket = _ticket(agent, requester, "<script>alert(1)</script> banana", "I like <b>banana</b> bread")
    hit = search(viewer=agent, q="banana")["tickets"][0]
    assert hit["id"] == ticket.pk
    assert "<script>" not in hit["subject_highlight"]
    assert "&lt;script&gt;" in hit["subject_highlight"]
    assert "<mark>banana</mark>" in hit["subject_highlight"]
    assert hit["snippet"] == "I like &lt;b&gt;<mark>banana</mark>&lt;/b&gt; bread"


def test_subject_change_is_reindexed(agent, requester):
    from frontdesk.tickets.services import ticket_update

    ticket = _ticket(agent, requester, "Old wording", "body text")
    ticket_update(actor=Actor.of(agent), ticket=ticket, subject="Shiny platypus")
    assert _ids(search(viewer=agent, q="platypus")) == [ticket.pk]
    assert _ids(search(viewer=agent, q="wording")) == []
    assert _ids(search(viewer=agent, q="body")) == [ticket.pk]


def test_notes_are_found_by_agents_only(agent, customer_user):
    contact = customer_user.contact
    ticket = _ticket(agent, contact, "Billing issue", "My card was charged twice")
    message_add(actor=Actor.of(agent), ticket=ticket, kind="note",
                body="suspect fraudulent merchant")

    assert _ids(search(viewer=agent, q="fraudulent")) == [ticket.pk]
    hit = search(viewer=agent, q="fraudulent")["tickets"][0]
    assert "<mark>fraudulent</mark>" in hit["snippet"]
    # the customer sees the ticket, but never through the note's words, nor its text
    assert _ids(search(viewer=customer_user, q="charged")) == [ticket.pk]
    assert _ids(search(viewer=customer_user, q="fraudulent")) == []
    assert "fraudulent" not in (search(viewer=customer_user, q="billing")["tickets"][0]["snippet"] or "")
    # a word of the note with a word of the public text: still nothing for the customer
    assert _ids(search(viewer=customer_user, q="charged fraudulent")) == []
    assert _ids(search(viewer=agent, q="charged fraudulent")) == [ticket.pk]


def test_customer_finds_only_own_tickets_and_no_contacts(agent, customer_user):
    mine = _ticket(agent, customer_user.contact, "Walrus delivery", "late again")
    other_contact = _contact(agent, "Walrus Fan", "walrus@elsewhere.test")
    theirs = _ticket(agent, other_contact, "Walrus delivery too", "also late")

    result = search(viewer=customer_user, q="walrus")
    assert _ids(result) == [mine.pk]
    assert result["customers"] == [] and result["organisations"] == []
    assert set(_ids(search(viewer=agent, q="walrus"))) == {mine.pk, theirs.pk}


def test_restricted_team_tickets_are_hidden_from_other_agents(agent, requester, admin_user):
    team = f.TeamFactory(restricted=True)
    secret = ticket_create(actor=Actor.of(admin_user), requester=requester,
                           subject="Secret narwhal", body="x", team=team)
    assert _ids(search(viewer=agent, q="narwhal")) == []
    assert _ids(search(viewer=admin_user, q="narwhal")) == [secret.pk]


def test_finds_contacts_by_name_email_parts_and_organisation(agent, admin_user):
    org = organisation_save(actor=Actor.of(admin_user), name="Globex Corporation")
    zoe = _contact(agent, "Zoë Quartermain", "zq@initech.example", organisation=org)
    _contact(agent, "Someone Else", "else@other.example")

    for q in ("quarter", "zoe", "zq@initech.example", "initech", "globex"):
        assert _ids(search(viewer=agent, q=q), "customers") == [zoe.pk], q
    hit = search(viewer=agent, q="quarter")["customers"][0]
    assert hit["organisation_name"] == "Globex Corporation"
    assert "<mark>" in hit["highlight"]


def test_contact_index_follows_updates_renames_and_merges(agent, admin_user):
    from frontdesk.customers.services import contact_update, contacts_merge, identity_add

    org = organisation_save(actor=Actor.of(admin_user), name="Umbrella")
    a = _contact(agent, "Alpha Person", "alpha@one.example", organisation=org)
    b = _contact(agent, "Beta Person", "beta@two.example")
    contact_update(actor=Actor.of(agent), contact=a, name="Gamma Person")
    assert _ids(search(viewer=agent, q="gamma"), "customers") == [a.pk]
    assert _ids(search(viewer=agent, q="alpha person"), "customers") == [a.pk]  # email still there
    identity_add(actor=Actor.of(agent), contact=a, kind="email", value="delta@three.example")
    assert _ids(search(viewer=agent, q="delta"), "customers") == [a.pk]
    organisation_save(actor=Actor.of(admin_user), organisation=org, name="Wayne Enterprises")
    assert _ids(search(viewer=agent, q="wayne"), "customers") == [a.pk]
    assert _ids(search(viewer=agent, q="umbrella"), "customers") == []

    contacts_merge(actor=Actor.of(agent), source=b, target=a)
    assert _ids(search(viewer=agent, q="beta"), "customers") == [a.pk]  # b's email moved to a
    assert b.pk not in _ids(search(viewer=agent, q="person"), "customers")


def test_organisations_by_name_prefix_for_agents(agent, admin_user, customer_user):
    org = organisation_save(actor=Actor.of(admin_user), name="Acme Rockets")
    organisation_save(actor=Actor.of(admin_user), name="Rocket Acme")
    assert _ids(search(viewer=agent, q="acme ro"), "organisations") == [org.pk]
    assert search(viewer=customer_user, q="acme")["organisations"] == []


def test_kinds_and_limit(agent, requester):
    for i in range(5):
        _ticket(agent, requester, f"Parrot number {i}")
    result = search(viewer=agent, q="parrot", kinds=("tickets",), limit=3)
    assert list(result) == ["tickets"]
    assert len(result["tickets"]) == 3


def test_ticket_filters_apply(agent, requester):
    urgent = ticket_create(actor=Actor.of(agent), requester=requester, subject="Llama urgent",
                           body="x", priority=4)
    _ticket(agent, requester, "Llama calm")
    assert _ids(search(viewer=agent, q="llama", ticket_filters={"priority": [4]})) == [urgent.pk]


def test_merge_moves_text_to_target(agent, requester):
    from frontdesk.tickets.services import tickets_merge

    source = _ticket(agent, requester, "First report", "the zeppelin is leaking")
    target = _ticket(agent, requester, "Main report", "hot air balloon")
    tickets_merge(actor=Actor.of(agent), source=source, target=target)
    assert _ids(search(viewer=agent, q="zeppelin")) == [target.pk]
    # the source keeps its subject; the target's merge note names it too (agents see notes)
    assert set(_ids(search(viewer=agent, q="first report"))) == {source.pk, target.pk}


def test_rebuild_index_restores_entries(agent, requester):
    from frontdesk.tickets.search import rebuild_index

    ticket = _ticket(agent, requester, "Rebuilt capybara", "text")
    counts = rebuild_index()
    assert counts["tickets"] >= 1 and counts["contacts"] >= 1
    assert _ids(search(viewer=agent, q="capybara")) == [ticket.pk]
    assert _ids(search(viewer=agent, q="zoe"), "customers") == [ticket.requester_id]
