"""HTML sent to the ticket services: sanitised before the write lock is taken, in linear time and
capped, so one customer's message cannot hold the database (DESIGN.md §4, rule 7)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from frontdesk.core import html as core_html
from frontdesk.core.actor import Actor
from frontdesk.core.html import MAX_DEPTH, sanitize_html
from frontdesk.core.tests.test_linear import depth
from frontdesk.testing import factories as f
from frontdesk.testing.factories import contact_of, make_ticket
from frontdesk.tickets.models import Message
from frontdesk.tickets.services import message_add, ticket_create


@pytest.fixture
def in_transaction(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether a transaction was open each time nh3 ran."""
    seen: list[bool] = []
    clean = core_html.nh3.clean

    def watched(*args: Any, **kwargs: Any) -> str:
        seen.append(connection.in_atomic_block)
        return clean(*args, **kwargs)

    monkeypatch.setattr(core_html.nh3, "clean", watched)
    return seen


@pytest.mark.django_db(transaction=True)
def test_the_services_sanitise_before_the_transaction(in_transaction: list[bool]) -> None:
    agent = f.UserFactory(role="agent")
    ticket = ticket_create(
        actor=Actor.of(agent), requester=f.ContactFactory(), subject="s", body="b",
        body_html="<p>opening</p>", quoted_html="<p>older</p>",
    )
    message_add(actor=Actor.of(agent), ticket=ticket, body="b", body_html="<p>reply</p>")
    assert in_transaction == [False, False, False]  # opening body and quote, the reply (its quote is empty)
    assert Message.objects.filter(ticket=ticket).count() == 2


@pytest.mark.django_db(transaction=True)
def test_html_sanitised_already_is_stored_as_it_is(in_transaction: list[bool]) -> None:
    ticket = make_ticket()
    safe = sanitize_html("<p>from a channel</p>")
    in_transaction.clear()
    message = message_add(
        actor=Actor.system("email"), ticket=ticket, body="b", body_html=safe, author_contact=ticket.requester
    )
    assert in_transaction == []  # not parsed again
    assert Message.objects.get(pk=message.pk).body_html == "<p>from a channel</p>"


@pytest.mark.django_db
def test_a_customers_deeply_nested_message_is_stored_sanitised_and_flattened(api_for: Any, customer_user: Any) -> None:
    ticket = make_ticket(requester=contact_of(customer_user))
    html = "<div>" * 100_000  # 500 KB: 41 s inside the write lock before, while every other write waited
    response = api_for(customer_user).post(
        f"/api/v1/tickets/{ticket.pk}/messages", {"body": "the text of my message", "body_html": html}
    )
    assert response.status_code == 201, response.content
    stored = Message.objects.get(pk=response.json()["id"])
    assert stored.body == "the text of my message"  # what the cap cut is in the text body
    assert depth(stored.body_html) <= MAX_DEPTH
    assert stored.body_html == "<div>" * MAX_DEPTH + "</div>" * MAX_DEPTH


@pytest.mark.django_db
def test_a_customers_html_keeps_no_relative_or_remote_image(api_for: Any, customer_user: Any) -> None:
    ticket = make_ticket(requester=contact_of(customer_user))
    html = '<img src="/xss-canary-24" alt="a"><img src="https://t.test/p.gif"><a href="/api/v1/me">me</a>'
    response = api_for(customer_user).post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": "x", "body_html": html})
    assert response.status_code == 201, response.content
    stored = Message.objects.get(pk=response.json()["id"]).body_html
    assert ' src=' not in stored and "href=" not in stored and 'alt="a"' in stored
    assert stored.count('data-remote-src="https://t.test/p.gif"') == 1, "loads only when an agent asks"


@pytest.mark.django_db
def test_an_agents_html_may_keep_remote_images(api_for: Any, agent: Any) -> None:
    ticket = make_ticket()
    html = '<img src="https://cdn.test/logo.png"><img src="/relative.png">'
    response = api_for(agent).post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": "x", "body_html": html})
    assert response.status_code == 201, response.content
    assert Message.objects.get(pk=response.json()["id"]).body_html == '<img src="https://cdn.test/logo.png"><img>'
