"""Saved views: who may keep which, filter validation, "me", the tickets of a view and counts."""

from __future__ import annotations

import pytest

from frontdesk.core.actor import Actor
from frontdesk.core.errors import NotFound, PermissionDenied, ValidationError
from frontdesk.core.events.models import OutboxEvent
from frontdesk.customers.services import contact_create
from frontdesk.testing import factories as f
from frontdesk.tickets import queue_selectors
from frontdesk.tickets.models import Ticket, View
from frontdesk.tickets.queue_selectors import view_counts, view_get, view_list, view_tickets
from frontdesk.tickets.services import ticket_create, ticket_update, view_create, view_delete, view_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def requester(agent):
    return contact_create(actor=Actor.of(agent), name="Req", email="req@example.test")


def _create(user, **kw):
    kw.setdefault("name", "My view")
    kw.setdefault("filters", {})
    return view_create(actor=Actor.of(user), **kw)


def test_default_shared_views_exist_for_agents(agent):
    names = [v.name for v in view_list(viewer=agent)]
    assert names[:4] == ["Unassigned open", "My open tickets", "Pending", "Recently solved"]


def test_personal_views_are_private(agent):
    other = f.UserFactory(role="agent")
    mine = _create(agent, name="Mine", filters={"priority": [4]})
    assert mine.owner_id == agent.pk
    assert mine in view_list(viewer=agent)
    assert mine not in view_list(viewer=other)
    with pytest.raises(NotFound):
        view_get(viewer=other, view_id=mine.pk)
    with pytest.raises(NotFound):
        view_update(actor=Actor.of(other), view=mine, name="Hijack")
    with pytest.raises(NotFound):
        view_delete(actor=Actor.of(other), view=mine)
    assert OutboxEvent.objects.filter(name="view.saved", payload__view_id=mine.pk).count() == 1


def test_shared_and_team_views(agent, supervisor, customer_user):
    with pytest.raises(PermissionDenied):
        _create(agent, name="Shared", shared=True)
    team = f.TeamFactory()
    shared = _create(supervisor, name="Everyone", shared=True)
    team_view = _create(supervisor, name="Team only", shared=True, team_id=team.pk)
    assert shared in view_list(viewer=agent) and team_view not in view_list(viewer=agent)
    team.members.add(agent)
    assert team_view in view_list(viewer=agent)
    with pytest.raises(PermissionDenied):
        view_update(actor=Actor.of(agent), view=shared, name="Renamed")
    with pytest.raises(PermissionDenied):
        view_delete(actor=Actor.of(agent), view=shared)
    view_delete(actor=Actor.of(supervisor), view=shared)
    assert not View.objects.filter(pk=shared.pk).exists()
    assert OutboxEvent.objects.filter(name="view.deleted", payload__view_id=shared.pk).exists()
    assert list(view_list(viewer=customer_user)) == []
    with pytest.raises(PermissionDenied):
        _create(customer_user, name="Nope")


@pytest.mark.parametrize(
    "filters",
    [
        {"colour": "red"},
        {"status_category": ["nope"]},
        {"priority": [9]},
        {"priority": [True]},
        {"assignee_id": "someone"},
        {"assignee_id": 2**63},
        {"team_id": -1},
        {"status": ["no-such-status"]},
        {"tag": ""},
        {"requester_id": "1; DROP TABLE x"},
        "not a dict",
    ],
)
def test_invalid_filters_are_refused(agent, filters):
    with pytest.raises(ValidationError):
        _create(agent, filters=filters)


def test_invalid_sort_and_name_are_refused(agent):
    with pytest.raises(ValidationError):
        _create(agent, sort="subject")
    with pytest.raises(ValidationError):
        _create(agent, name="   ")


def test_view_tickets_resolve_me_per_viewer(agent, requester, admin_user):
    other = f.UserFactory(role="agent")
    act = Actor.of(admin_user)
    mine = ticket_create(actor=act, requester=requester, subject="a", body="x",
                         assignee=agent)
    theirs = ticket_create(actor=act, requester=requester, subject="b", body="x",
                           assignee=other)
    unassigned = ticket_create(actor=act, requester=requester, subject="c", body="x")
    my_open = View.objects.get(name="My open tickets", owner__isnull=True)
    assert list(view_tickets(viewer=agent, view=my_open)) == [mine]
    assert list(view_tickets(viewer=other, view=my_open)) == [theirs]
    unassigned_view = View.objects.get(name="Unassigned open", owner__isnull=True)
    assert list(view_tickets(viewer=agent, view=unassigned_view)) == [unassigned]
    ticket_update(actor=act, ticket=mine, status="pending")
    pending = View.objects.get(name="Pending", owner__isnull=True)
    assert list(view_tickets(viewer=agent, view=pending)) == [mine]


def test_counts_are_capped_cached_and_invalidated(
    agent, requester, admin_user, django_capture_on_commit_callbacks
):
    view = _create(agent, name="Normal", filters={"priority": [2]})
    t = ticket_create(actor=Actor.of(admin_user), requester=requester, subject="a", body="x")
    brand_id = t.brand_id
    Ticket.objects.bulk_create(
        [Ticket(brand_id=brand_id, subject=f"t{i}", requester=requester) for i in range(queue_selectors.COUNT_CAP + 5)]
    )
    few = _create(agent, name="Urgent", filters={"priority": [4]})
    counts = view_counts(viewer=agent, views=[view, few])
    assert counts[view.pk] == {"count": queue_selectors.COUNT_CAP, "capped": True}
    assert counts[few.pk] == {"count": 0, "capped": False}

    # cached: the same answer without a query
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert view_counts(viewer=agent, views=[few])[few.pk]["count"] == 0
    assert len(ctx.captured_queries) == 0

    # a ticket write invalidates the counts once committed
    with django_capture_on_commit_callbacks(execute=True):
        ticket_update(actor=Actor.of(admin_user), ticket=t, priority=4)
    assert view_counts(viewer=agent, views=[few])[few.pk] == {"count": 1, "capped": False}


def test_counts_respect_visibility(agent, requester, admin_user):
    team = f.TeamFactory(restricted=True)
    ticket_create(actor=Actor.of(admin_user), requester=requester, subject="s", body="x",
                  team=team)
    everything = _create(admin_user, name="All", shared=True)
    assert view_counts(viewer=admin_user, views=[everything])[everything.pk]["count"] == 1
    assert view_counts(viewer=agent, views=[everything])[everything.pk]["count"] == 0
