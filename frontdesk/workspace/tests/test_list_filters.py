"""The filter form of a view shows and keeps its whole definition; paging keeps every filter."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

from frontdesk.core.actor import SYSTEM, Actor
from frontdesk.testing import factories as f
from frontdesk.testing.fixtures import client_for
from frontdesk.tickets.models import Ticket, View
from frontdesk.tickets.services import ticket_create, ticket_update, view_create
from frontdesk.workspace import views_lists

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class FormValues(HTMLParser):
    """What a browser submits for the filter form as rendered (#filters-form)."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.select: str | None = None
        self.multiple = False
        self.options: list[tuple[str, bool]] = []
        self.pairs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = "filters" in a.get("class", "").split()
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.pairs.append((a["name"], a.get("value", "on")))
            else:
                self.pairs.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self.select, self.multiple, self.options = a.get("name"), "multiple" in a, []
        elif tag == "option" and self.select:
            self.options.append((a.get("value", ""), "selected" in a))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        if tag == "select" and self.select:
            chosen = [value for value, selected in self.options if selected]
            if not self.multiple:  # a one-choice list submits its last selected option, else its first
                chosen = chosen[-1:] or [value for value, _ in self.options[:1]]
            self.pairs += [(self.select, value) for value in chosen]
            self.select = None


def submitted(html: str) -> str:
    parser = FormValues()
    parser.feed(html)
    return urlencode(parser.pairs)


def row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'name="ticket_ids" value="(\d+)"', html)]


@pytest.fixture
def tickets(agent):  # type: ignore[no-untyped-def]
    """New, open, pending and on-hold tickets, some unassigned, some the agent's, one urgent."""
    made = {}
    for name, status, assignee, priority in [
        ("new-free", "new", None, 2), ("open-free", "open", None, 2), ("urgent-free", "new", None, 4),
        ("pending-free", "pending", None, 2), ("new-mine", "new", agent, 2), ("hold-mine", "on_hold", agent, 3),
        ("pending-mine", "pending", agent, 2), ("solved-mine", "solved", agent, 2),
    ]:
        t = ticket_create(actor=SYSTEM, requester=f.ContactFactory(), subject=name, body="x",
                          assignee=assignee, priority=priority)
        if status != "new":
            ticket_update(actor=SYSTEM, ticket=t, status=status)
        made[name] = t.pk
    return made


def shared(name: str) -> View:
    return View.objects.get(name=name, owner__isnull=True)


@pytest.mark.parametrize("view_name", ["Unassigned open", "My open tickets", "Pending", "Recently solved"])
def test_pressing_filter_without_changing_anything_keeps_the_view(agent, tickets, view_name) -> None:  # type: ignore[no-untyped-def]
    client = client_for(agent)
    view = shared(view_name)
    html = client.get(f"/views/{view.pk}/").content.decode()
    before = row_ids(html)
    assert before, "the demo views each hold some of these tickets"
    again = client.get(f"/views/{view.pk}/?{submitted(html)}").content.decode()
    assert row_ids(again) == before
    assert "filters changed" not in again


def test_the_status_filter_shows_every_status_of_the_view(agent, tickets) -> None:  # type: ignore[no-untyped-def]
    html = client_for(agent).get(f"/views/{shared('My open tickets').pk}/").content.decode()
    checked = re.findall(r'name="status_category" value="(\w+)" checked', html)
    assert checked == ["new", "open", "pending", "on_hold"]
    assert re.findall(r'name="assignee_id" value="(\w+)" checked', html) == ["me"]


def test_narrowing_a_view_by_priority_keeps_its_other_conditions(agent, tickets) -> None:  # type: ignore[no-untyped-def]
    client = client_for(agent)
    view = shared("Unassigned open")
    html = client.get(f"/views/{view.pk}/").content.decode()
    urgent = client.get(f"/views/{view.pk}/?{submitted(html)}&priority=4").content.decode()
    assert row_ids(urgent) == [tickets["urgent-free"]]
    assert "filters changed" in urgent


def test_a_view_on_exact_statuses_keeps_them_on_every_page(agent, tickets, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for i in range(5):
        t = ticket_create(actor=SYSTEM, requester=f.ContactFactory(), subject=f"more {i}", body="x")
        ticket_update(actor=SYSTEM, ticket=t, status="pending" if i % 2 else "open")
    view = view_create(actor=Actor.of(agent), name="Exactly pending", filters={"status": ["pending"]})
    monkeypatch.setattr(views_lists, "PAGE_SIZE", 2)
    client = client_for(agent)
    html = client.get(f"/views/{view.pk}/").content.decode()
    seen = row_ids(html)
    while True:
        more = re.search(r'href="([^"]+cursor=[^"]+)" hx-get', html)
        if not more:
            break
        html = client.get(more.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"}).content.decode()
        seen += row_ids(html)
    assert len(seen) == len(set(seen)) == 4  # pending-free, pending-mine and two of the five
    assert set(Ticket.objects.filter(pk__in=seen).values_list("status", flat=True)) == {"pending"}


def test_conditions_without_a_control_are_kept_and_can_be_removed(agent, tickets) -> None:  # type: ignore[no-untyped-def]
    requester = f.ContactFactory(name="Rita Requester")
    own = ticket_create(actor=SYSTEM, requester=requester, subject="Rita's", body="x")
    view = view_create(actor=Actor.of(agent), name="Rita", filters={"requester_id": requester.pk})
    client = client_for(agent)
    html = client.get(f"/views/{view.pk}/").content.decode()
    assert row_ids(html) == [own.pk] and "Requester: Rita Requester" in html
    again = client.get(f"/views/{view.pk}/?{submitted(html)}").content.decode()
    assert row_ids(again) == [own.pk]
    remove = re.search(r'href="([^"]+)" aria-label="Remove Requester: Rita Requester"', html)
    assert remove is not None
    everything = client.get(remove.group(1).replace("&amp;", "&")).content.decode()
    assert len(row_ids(everything)) > 1


def test_a_bad_filter_in_a_views_query_keeps_the_view_and_says_why(agent, tickets) -> None:  # type: ignore[no-untyped-def]
    view = shared("Unassigned open")
    response = client_for(agent).get(f"/views/{view.pk}/?f=1&priority=9")
    html = response.content.decode()
    assert response.status_code == 400 and "priority" in html
    assert re.findall(r'name="status_category" value="(\w+)" checked', html) == ["new", "open"]
