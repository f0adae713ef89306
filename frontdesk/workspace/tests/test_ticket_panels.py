"""Sidebar panels that apps register (tickets/panels.py): the ticket page renders them in their
place and order, leaves out one that declines a ticket, survives one that fails (and says so),
and every registered panel stays within its query budget."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.template import Template
from django.test.utils import CaptureQueriesContext

from frontdesk.core.actor import SYSTEM
from frontdesk.testing import factories as f
from frontdesk.testing.fixtures import client_for
from frontdesk.tickets.models import Ticket
from frontdesk.tickets.panels import TicketPanel, register_panel, registered_panels, unregister_panel
from frontdesk.tickets.services import ticket_create

pytestmark = pytest.mark.django_db


def _clock(viewer: Any, ticket: Ticket) -> dict[str, Any] | None:
    if ticket.priority < 3:
        return None  # only urgent work has a clock in this test app
    return {"notes": [f"Clock for #{ticket.pk}, seen by {viewer.email}"]}


def _broken(viewer: Any, ticket: Ticket) -> dict[str, Any]:
    raise RuntimeError("the SLA app has a bug")


NOTES = Template('<section class="sidebar-panel">{% for n in panel.notes %}<p>{{ n }}</p>{% endfor %}</section>')


@pytest.fixture
def panels() -> Iterator[None]:
    register_panel(TicketPanel("test-clock", "Test clock", NOTES, _clock, queries=0,
                               place="side", order=50))
    register_panel(TicketPanel("test-broken", "Broken panel", NOTES, _broken,
                               queries=0, place="more", order=90))
    yield
    unregister_panel("test-clock")
    unregister_panel("test-broken")


def test_the_page_renders_panels_where_they_go_and_survives_a_failing_one(
    panels: None, agent: Any, caplog: pytest.LogCaptureFixture
) -> None:
    contact = f.ContactFactory()
    urgent = ticket_create(actor=SYSTEM, requester=contact, subject="Down", body="All down", priority=4)
    calm = ticket_create(actor=SYSTEM, requester=contact, subject="Question", body="When?", priority=2)
    client = client_for(agent)

    response = client.get(f"/tickets/{urgent.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    side = html[html.index('class="ticket-side ticket-side-top"'):html.index('class="ticket-main"')]
    more = html[html.index('class="ticket-side ticket-side-more"'):]
    assert f"Clock for #{urgent.pk}, seen by {agent.email}" in side
    assert more.index("customer-360") < more.index('data-panel="test-broken"'), "in order within its place"
    assert "Broken panel could not be shown: the error is in the server log." in more
    assert any("test-broken" in r.getMessage() and r.exc_info for r in caplog.records), "logged with its traceback"

    assert "Clock for" not in client.get(f"/tickets/{calm.pk}/").content.decode(), "a panel may decline a ticket"


def test_every_registered_panel_stays_within_its_query_budget(agent: Any) -> None:
    contact = f.ContactFactory(organisation=f.OrganisationFactory())
    ticket = ticket_create(actor=SYSTEM, requester=contact, subject="Budget", body="Hi", priority=4)
    assert registered_panels(), "the workspace's own customer history at least"
    for panel in registered_panels():
        with CaptureQueriesContext(connection) as ran:
            panel.context(agent, ticket)
        assert len(ran) <= panel.queries, f"panel {panel.key}: {len(ran)} queries, budget {panel.queries}"
