"""Apps add filters and sort orders to the one ticket filter (tickets/filter_registry.py): a
registered key goes everywhere a built-in one goes (query strings, saved views' JSON, the API,
the list page and its chips), and a registered sort paginates by keyset like a built-in one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, QuerySet

from frontdesk.accounts.models import User
from frontdesk.core.actor import SYSTEM, Actor
from frontdesk.core.errors import ValidationError
from frontdesk.testing import factories as f
from frontdesk.testing.fixtures import client_for
from frontdesk.tickets import filter_registry, selectors
from frontdesk.tickets.filter_registry import FilterSpec, SortSpec
from frontdesk.tickets.filters import TicketFilters, filter_problem
from frontdesk.tickets.models import Ticket
from frontdesk.tickets.queue_selectors import next_ticket_in_view
from frontdesk.tickets.services import message_add, ticket_create, view_create

pytestmark = pytest.mark.django_db


def _vip_values(values: list[Any], prefix: str) -> tuple[str, ...]:
    if any(v not in ("yes", "no") for v in values):
        raise filter_problem("vip", "yes or no", prefix)
    return tuple(sorted(set(values)))


def _vip_apply(qs: QuerySet[Ticket], values: tuple[Any, ...], viewer: User) -> QuerySet[Ticket]:
    if set(values) == {"yes", "no"}:
        return qs
    return qs.filter(requester__organisation__vip=True) if "yes" in values else qs.exclude(
        requester__organisation__vip=True)


@pytest.fixture
def vip() -> Iterator[FilterSpec]:
    spec = filter_registry.register_filter(FilterSpec(
        "vip", "VIP customer", parse=_vip_values, apply=_vip_apply, choices=lambda: [("yes", "VIP"), ("no", "Not VIP")],
    ))
    yield spec
    filter_registry.unregister("vip")


@pytest.fixture
def by_messages() -> Iterator[SortSpec]:
    spec = filter_registry.register_sort(SortSpec(
        "-message_total", "Most messages", annotate=lambda qs: qs.annotate(message_total=Count("messages")),
    ))
    yield spec
    filter_registry.unregister("-message_total")


@pytest.fixture
def tickets() -> dict[str, Ticket]:
    org = f.OrganisationFactory(vip=True)
    big = f.ContactFactory(organisation=org)
    small = f.ContactFactory()
    return {
        "vip": ticket_create(actor=SYSTEM, requester=big, subject="From a VIP", body="Hi"),
        "other": ticket_create(actor=SYSTEM, requester=small, subject="From someone", body="Hi"),
    }


def test_a_registered_filter_round_trips_and_narrows(vip: FilterSpec, agent: Any, tickets: dict[str, Ticket]) -> None:
    filters = TicketFilters.from_query({"vip": ["yes"], "priority": ["high", "urgent"]})
    assert filters.value("vip") == ("yes",) and "vip" in TicketFilters.names()
    assert TicketFilters.from_query(_as_query(filters.to_query())) == filters
    assert TicketFilters.from_dict(filters.to_dict()) == filters
    assert filters.replace(vip=()) == TicketFilters.from_query({"priority": ["high", "urgent"]})

    def subjects(**query: list[str]) -> list[str]:
        found = selectors.ticket_list(viewer=agent, filters=TicketFilters.from_query(query))
        return sorted(t.subject for t in found)

    assert subjects(vip=["yes"]) == ["From a VIP"]
    assert subjects(vip=["no"]) == ["From someone"]
    assert subjects(vip=["yes", "no"]) == ["From a VIP", "From someone"]

    with pytest.raises(ValidationError) as bad:
        TicketFilters.from_query({"vip": ["maybe"]}, prefix="filters.")
    assert bad.value.fields == {"filters.vip": "yes or no"}


def test_a_registered_filter_works_in_the_api_and_on_the_list_page(
    vip: FilterSpec, api_for: Any, agent: Any, tickets: dict[str, Ticket]
) -> None:
    listed = api_for(agent).get("/api/v1/tickets", {"vip": "yes"})
    assert listed.status_code == 200
    assert [t["id"] for t in listed.json()["items"]] == [tickets["vip"].pk]
    refused = api_for(agent).get("/api/v1/tickets", {"vip": "maybe"})
    assert refused.status_code == 422 and refused.json()["error"]["fields"] == {"vip": "yes or no"}

    html = client_for(agent).get("/tickets/", {"vip": "yes"}).content.decode()
    assert f"/tickets/{tickets['vip'].pk}/" in html and f"/tickets/{tickets['other'].pk}/" not in html
    assert "VIP customer: VIP" in html, "its chip says what it filters, in the app's words"


def test_a_registered_key_may_not_shadow_a_built_in_one_or_another_app() -> None:
    with pytest.raises(ImproperlyConfigured):
        filter_registry.register_filter(FilterSpec("status", "x", parse=_vip_values, apply=_vip_apply))
    spec = filter_registry.register_filter(FilterSpec("vip", "x", parse=_vip_values, apply=_vip_apply))
    try:
        with pytest.raises(ImproperlyConfigured):
            filter_registry.register_filter(FilterSpec("vip", "y", parse=_vip_values, apply=_vip_apply))
    finally:
        filter_registry.unregister(spec.key)


def test_a_registered_sort_paginates_by_keyset(by_messages: SortSpec, api_for: Any, agent: Any) -> None:
    contact = f.ContactFactory()
    made = []
    for n in (1, 3, 2):
        ticket = ticket_create(actor=SYSTEM, requester=contact, subject=f"{n} messages", body="first")
        for k in range(n - 1):
            message_add(actor=SYSTEM, ticket=ticket, body=f"more {k}", author_contact=contact)
        made.append(ticket)
    api = api_for(agent)
    seen, cursor = [], None
    while True:
        query = {"sort": "-message_total", "limit": 1, **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/v1/tickets", query)
        assert page.status_code == 200, page.content
        seen += [t["subject"] for t in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert seen == ["3 messages", "2 messages", "1 messages"]
    unknown = api.get("/api/v1/tickets", {"sort": "-mood"})
    assert unknown.status_code == 422 and "-message_total" in unknown.content.decode()

    view = view_create(actor=Actor.of(agent), name="Busiest", filters={}, sort="-message_total")
    listed = api.get(f"/api/v1/views/{view.pk}/tickets")
    assert [t["subject"] for t in listed.json()["items"]] == seen, "a saved view sorts by it too"
    three, two, one = sorted(made, key=lambda t: -int(t.subject[0]))
    assert next_ticket_in_view(viewer=agent, view=view, ticket=three) == two
    assert next_ticket_in_view(viewer=agent, view=view, ticket=two) == one
    assert next_ticket_in_view(viewer=agent, view=view, ticket=one) is None


def _as_query(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out
