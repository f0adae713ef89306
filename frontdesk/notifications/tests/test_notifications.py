"""The bell: who is told what, from the events tickets record; never one's own doing; read when seen."""

from __future__ import annotations

from typing import Any

import pytest

from frontdesk.accounts.models import User
from frontdesk.core.actor import Actor
from frontdesk.core.events.dispatcher import dispatch
from frontdesk.core.events.models import OutboxEvent
from frontdesk.notifications import selectors, services
from frontdesk.notifications.models import Notification
from frontdesk.testing import factories as f
from frontdesk.testing.factories import make_ticket, team_with
from frontdesk.testing.fixtures import client_for
from frontdesk.tickets.models import Ticket
from frontdesk.tickets.services import message_add, ticket_create, ticket_update

pytestmark = pytest.mark.django_db


def person(email: str, name: str, role: str = "agent") -> User:
    return f.UserFactory(email=email, name=name, role=role)


@pytest.fixture
def ann(db: Any) -> User:
    return person("ann@acme.test", "Ann Actor")


@pytest.fixture
def bob(db: Any) -> User:
    return person("bob@acme.test", "Bob Builder")


def kinds(user: User) -> list[tuple[str, int]]:
    return [(n.kind, n.ticket_id) for n in Notification.objects.filter(recipient=user).order_by("pk")]


def test_a_mention_in_a_note_tells_the_mentioned_agent_not_the_author(ann, bob, run_on_commit) -> None:
    ticket = make_ticket()
    with run_on_commit():
        note = message_add(actor=Actor.of(ann), ticket=ticket, kind="note",
                           body="@bob can you look? @ann me too")
    assert kinds(bob) == [("mention", ticket.pk)]
    assert kinds(ann) == []  # a self-mention tells nobody
    n = Notification.objects.get(recipient=bob)
    assert n.actor == ann and n.message_id == note.pk and n.read_at is None


def test_an_assignment_tells_the_new_assignee_unless_they_took_it_themselves(ann, bob, run_on_commit) -> None:
    ticket = make_ticket()
    with run_on_commit():
        ticket_update(actor=Actor.of(ann), ticket=ticket, assignee=ann)  # took it: nothing
        ticket_update(actor=Actor.of(ann), ticket=ticket, priority="high")
    assert Notification.objects.count() == 0
    with run_on_commit():
        ticket_update(actor=Actor.of(ann), ticket=ticket, assignee=bob)
    assert kinds(bob) == [("assigned", ticket.pk)] and kinds(ann) == []
    with run_on_commit():  # unassigning tells nobody
        ticket_update(actor=Actor.of(ann), ticket=ticket, assignee=None)
    assert Notification.objects.count() == 1
    with run_on_commit():  # routing (the system) assigning it does
        ticket_update(actor=Actor.system("routing"), ticket=ticket, assignee=ann)
    assert kinds(ann) == [("assigned", ticket.pk)]
    assert Notification.objects.get(recipient=ann).actor_label == "routing"


def test_a_ticket_created_already_assigned_tells_the_assignee(ann, bob, run_on_commit) -> None:
    with run_on_commit():
        ticket = ticket_create(actor=Actor.of(ann), requester=f.ContactFactory(), subject="Broken",
                               body="It broke.", assignee=bob)
        mine = ticket_create(actor=Actor.of(ann), requester=f.ContactFactory(), subject="Mine",
                             body="Also broken.", assignee=ann)
    assert kinds(bob) == [("assigned", ticket.pk)]
    assert kinds(ann) == [] and mine.assignee == ann


def test_a_customer_reply_tells_the_assignee_and_followers(ann, bob, run_on_commit) -> None:
    carol = person("carol@acme.test", "Carol Follower")
    idle = person("idle@acme.test", "Idle Agent")
    alice = f.ContactFactory(name="Alice Customer")
    ticket = make_ticket(requester=alice)
    ticket_update(actor=Actor.of(ann), ticket=ticket, assignee=bob, followers=[carol])
    Notification.objects.all().delete()
    with run_on_commit():
        message_add(actor=Actor.system("email"), ticket=ticket, body="Still broken!", author_contact=alice)
    assert kinds(bob) == [("customer_reply", ticket.pk)]
    assert kinds(carol) == [("customer_reply", ticket.pk)]
    assert kinds(idle) == [] and kinds(ann) == []
    n = Notification.objects.get(recipient=bob)
    assert n.actor is None and n.actor_contact == alice and n.actor_label == ""
    with run_on_commit():  # an agent's own public reply is not a customer reply
        message_add(actor=Actor.of(ann), ticket=ticket, body="Looking into it.")
    assert Notification.objects.count() == 2


def test_a_new_ticket_from_a_customer_is_not_a_reply(ann, run_on_commit) -> None:
    with run_on_commit():
        ticket = make_ticket(requester=f.ContactFactory(), followers=[ann])
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    assert kinds(ann) == []


def test_nobody_is_told_about_a_ticket_they_cannot_see(ann, bob, run_on_commit) -> None:
    insiders = team_with(ann, restricted=True)
    ticket = make_ticket(team=insiders)
    inactive = person("gone@acme.test", "Gone Agent")
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    with run_on_commit():
        message_add(actor=Actor.of(ann), ticket=ticket, kind="note", body="@bob @gone look")
    assert Notification.objects.count() == 0


def test_an_event_delivered_twice_notifies_once(ann, bob, run_on_commit) -> None:
    ticket = make_ticket()
    with run_on_commit():
        ticket_update(actor=Actor.of(ann), ticket=ticket, assignee=bob)
    row = OutboxEvent.objects.filter(name="ticket.updated").latest("pk")
    services.notify(actor=Actor.of(ann), event_id=row.pk, kind="assigned", ticket_id=ticket.pk, recipient_ids=[bob.pk])
    OutboxEvent.objects.filter(pk=row.pk).update(dispatched_at=None)
    dispatch(row.pk)
    assert Notification.objects.filter(recipient=bob).count() == 1


def test_unread_count_is_one_small_query_and_caps(ann, bob, django_assert_num_queries) -> None:
    tickets = [make_ticket(subject=f"T{i}") for i in range(3)]
    for i, t in enumerate(tickets):
        services.notify(actor=Actor.of(ann), event_id=1000 + i, kind="mention", ticket_id=t.pk, recipient_ids=[bob.pk])
    with django_assert_num_queries(1):
        assert selectors.unread_count(viewer=bob) == 3
    assert selectors.unread_count(viewer=ann) == 0
    Notification.objects.bulk_create([
        Notification(recipient=bob, kind="mention", ticket=tickets[0], event_id=2000 + i)
        for i in range(selectors.UNREAD_CAP + 10)
    ])
    assert selectors.unread_count(viewer=bob) == selectors.UNREAD_CAP + 1  # shown as "99+"


def test_the_bell_is_cached_and_cleared_by_new_and_read_notifications(ann, bob, django_assert_num_queries) -> None:
    ticket = make_ticket()
    assert selectors.bell(viewer=bob).unread == 0
    with django_assert_num_queries(0):
        assert selectors.bell(viewer=bob).unread == 0
    services.notify(actor=Actor.of(ann), event_id=1, kind="mention", ticket_id=ticket.pk, recipient_ids=[bob.pk])
    state = selectors.bell(viewer=bob)
    assert state.unread == 1 and [i.ticket_subject for i in state.items] == [ticket.subject]
    assert state.items[0].who is not None and state.items[0].who.name == "Ann Actor"
    assert services.mark_ticket_read(by=bob, ticket_id=ticket.pk) == 1
    assert selectors.bell(viewer=bob).unread == 0
    with django_assert_num_queries(0):  # nothing unread on the cached bell: opening a ticket asks nothing
        assert services.mark_ticket_read(by=bob, ticket_id=ticket.pk) == 0


def test_opening_the_ticket_marks_its_notifications_read_for_the_viewer_only(ann, bob) -> None:
    ticket, other = make_ticket(), make_ticket(subject="Other")
    for i, (who, t) in enumerate([(bob, ticket), (bob, other), (ann, ticket)]):
        services.notify(actor=Actor.system("test"), event_id=10 + i, kind="assigned", ticket_id=t.pk,
                        recipient_ids=[who.pk])
    client = client_for(bob)
    before = client.get("/tickets/")
    assert 'data-bell-count aria-hidden="true">2<' in before.content.decode()
    page = client.get(f"/tickets/{ticket.pk}/")
    assert page.status_code == 200
    assert 'data-bell-count aria-hidden="true">1<' in page.content.decode()
    assert Notification.objects.get(recipient=bob, ticket=ticket).read_at is not None
    assert Notification.objects.get(recipient=bob, ticket=other).read_at is None
    assert Notification.objects.get(recipient=ann, ticket=ticket).read_at is None


def test_the_bell_lists_what_happened_with_links_to_the_message(ann, bob, run_on_commit) -> None:
    ticket = make_ticket(subject="Printer <on> fire")
    with run_on_commit():
        note = message_add(actor=Actor.of(ann), ticket=ticket, kind="note", body="@bob please check")
    html = client_for(bob).get("/tickets/").content.decode()
    assert f'href="/tickets/{ticket.pk}/#message-{note.pk}"' in html
    assert "Ann Actor mentioned you" in html
    assert "Printer &lt;on&gt; fire" in html and "Printer <on> fire" not in html
    assert "1 unread" in html


def test_mark_read_touches_only_ones_own(ann, bob) -> None:
    ticket = make_ticket()
    services.notify(actor=Actor.system("t"), event_id=1, kind="assigned", ticket_id=ticket.pk, recipient_ids=[bob.pk])
    services.notify(actor=Actor.system("t"), event_id=2, kind="assigned", ticket_id=ticket.pk, recipient_ids=[ann.pk])
    theirs = Notification.objects.get(recipient=ann)
    assert services.mark_read(by=bob, notification_ids=[theirs.pk, 2**70, "x", True]) == 0
    assert services.mark_all_read(by=bob) == 1
    assert Notification.objects.get(pk=theirs.pk).read_at is None
