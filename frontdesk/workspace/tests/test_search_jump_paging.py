"""Global search: a ticket number opens the ticket; ticket results show their total and page
past 50; suggestions name the requester and the status label and are a listbox of options."""

from __future__ import annotations

import re

import pytest

from frontdesk.core.actor import SYSTEM
from frontdesk.testing import factories as f
from frontdesk.testing.fixtures import client_for
from frontdesk.tickets import search as ticket_search
from frontdesk.tickets.models import Ticket, TicketStatus
from frontdesk.tickets.services import ticket_create
from frontdesk.workspace import views_search

pytestmark = pytest.mark.django_db


def new(subject: str, **kwargs) -> Ticket:  # type: ignore[no-untyped-def]
    requester = kwargs.pop("requester", None) or f.ContactFactory(name="Ada Lovelace")
    return ticket_create(actor=SYSTEM, requester=requester, subject=subject, body="body text", **kwargs)


def ticket_links(html: str) -> list[int]:
    main = html.split("<main", 1)[1]
    return [int(n) for n in re.findall(r'href="/tickets/(\d+)/" data-row-link', main)]


@pytest.mark.parametrize("form", ["{n}", "#{n}", "  #{n} ", "# {n}"])
def test_a_ticket_number_opens_the_ticket(agent, form) -> None:  # type: ignore[no-untyped-def]
    ticket = new("Anything at all")
    response = client_for(agent).get("/search/", {"q": form.format(n=ticket.pk)})
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.pk}/"


def test_a_number_that_is_no_visible_ticket_says_so_and_searches(agent) -> None:  # type: ignore[no-untyped-def]
    hidden = new("Payroll 777", team=f.TeamFactory(restricted=True))
    mentions = new("Order 99999 is late")
    client = client_for(agent)
    for q, number in ((str(hidden.pk), hidden.pk), ("#99999", 99999)):
        response = client.get("/search/", {"q": q})
        assert response.status_code == 200
        html = response.content.decode()
        assert f"No ticket #{number} that you can see" in html
        assert "Payroll" not in html
    assert ticket_links(client.get("/search/", {"q": "99999"}).content.decode()) == [mentions.pk]
    # a number with other words, or asked for among customers only, is a normal search
    assert client.get("/search/", {"q": f"{mentions.pk} late"}).status_code == 200
    assert client.get("/search/", {"q": str(mentions.pk), "kind": "customers"}).status_code == 200


def test_results_show_the_total_and_page_past_fifty(agent) -> None:  # type: ignore[no-untyped-def]
    made = {new(f"Quokka sighting {i}").pk for i in range(57)}
    new("Something else")
    client = client_for(agent)
    first = client.get("/search/", {"q": "quokka"}).content.decode()
    assert "57 tickets" in first
    assert "Showing 1–50 of 57" in first and "Page 1 of 2" in first
    page_one = ticket_links(first)
    assert len(page_one) == 50
    nxt = re.search(r'<a class="button" rel="next" href="([^"]+)"', first)
    assert nxt, "a link to the next page"
    second = client.get("/search/" + nxt.group(1).replace("&amp;", "&")).content.decode()
    page_two = ticket_links(second)
    assert "Showing 51–57 of 57" in second and "Page 2 of 2" in second
    assert len(page_two) == 7 and set(page_one) | set(page_two) == made, "every hit once, none twice"
    assert 'rel="next"' not in second and 'rel="prev"' in second
    # a page past the end shows the last page; a page that is not a number shows the first
    assert ticket_links(client.get("/search/", {"q": "quokka", "kind": "tickets", "page": "9"}).content.decode()) \
        == page_two
    assert ticket_links(client.get("/search/", {"q": "quokka", "page": "x"}).content.decode()) == page_one


def test_the_total_counts_only_what_the_agent_may_see(agent) -> None:  # type: ignore[no-untyped-def]
    secret = f.TeamFactory(restricted=True)
    for i in range(3):
        new(f"Wombat report {i}")
        new(f"Wombat secret {i}", team=secret)
    html = client_for(agent).get("/search/", {"q": "wombat"}).content.decode()
    assert "3 tickets" in html and "secret" not in html.split("<main", 1)[1]


def test_past_the_cap_the_page_says_the_total_is_a_lower_bound(agent, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(ticket_search, "MAX_CANDIDATES", 5)
    monkeypatch.setattr(views_search, "MAX_CANDIDATES", 5)
    for i in range(7):
        new(f"Numbat {i}")
    html = client_for(agent).get("/search/", {"q": "numbat"}).content.decode()
    assert "5+ tickets" in html and "add words to narrow the search" in html
    assert len(ticket_links(html)) == 5


def test_suggestions_are_options_with_requester_and_status_label(agent) -> None:  # type: ignore[no-untyped-def]
    TicketStatus.objects.filter(key="on_hold").update(label="Waiting on supplier")
    ticket = new("Kangaroo invoice", requester=f.ContactFactory(name="Grace Hopper"))
    Ticket.objects.filter(pk=ticket.pk).update(status="on_hold", status_category="on_hold")
    html = client_for(agent).get("/search/suggest/", {"q": "kangar"}).content.decode()
    option = re.search(rf'<a href="/tickets/{ticket.pk}/"[^>]*>.*?</a>', html, re.S)
    assert option
    assert f'role="option" id="suggest-ticket-{ticket.pk}" aria-selected="false"' in option.group(0)
    assert "Grace Hopper" in option.group(0)
    assert "Waiting on supplier" in option.group(0) and ">on_hold<" not in option.group(0)
    assert 'role="group" aria-labelledby="suggest-tickets-title"' in html
    assert 'id="suggest-all"' in html and 'data-announce="' in html


def test_a_status_without_a_label_is_never_shown_as_a_raw_key(agent) -> None:  # type: ignore[no-untyped-def]
    ticket = new("Platypus order")
    Ticket.objects.filter(pk=ticket.pk).update(status="waiting_for_parts")
    html = client_for(agent).get("/search/suggest/", {"q": "platypus"}).content.decode()
    assert "Waiting for parts" in html and ">waiting_for_parts<" not in html


def test_a_number_suggests_that_ticket_first(agent) -> None:  # type: ignore[no-untyped-def]
    ticket = new("Echidna", requester=f.ContactFactory(name="Katherine Johnson"))
    html = client_for(agent).get("/search/suggest/", {"q": f"#{ticket.pk}"}).content.decode()
    first = re.search(r'role="option" id="([^"]+)"', html)
    assert first and first.group(1) == f"suggest-ticket-{ticket.pk}"
    assert "Katherine Johnson" in html
    hidden = new("Hidden", team=f.TeamFactory(restricted=True))
    assert f"suggest-ticket-{hidden.pk}" not in client_for(agent).get(
        "/search/suggest/", {"q": str(hidden.pk)}).content.decode()
