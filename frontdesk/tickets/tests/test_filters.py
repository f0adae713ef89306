"""TicketFilters: one definition for the API, views and pages; every filter survives the trip
through a query string and through a view's JSON, and applies the same wherever it comes from."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.core import channels
from frontdesk.core.actor import SYSTEM
from frontdesk.core.errors import ValidationError
from frontdesk.core.ids import MAX_ID
from frontdesk.testing import factories as f
from frontdesk.tickets.filters import TicketFilters
from frontdesk.tickets.models import Priority, StatusCategory, TicketType
from frontdesk.tickets.selectors import ticket_list
from frontdesk.tickets.services import ticket_create

ids = st.integers(min_value=1, max_value=MAX_ID)
names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_ é", min_size=1, max_size=20).map(str.strip).filter(
    lambda s: s != ""
)
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


def tuples(values: st.SearchStrategy, key=None) -> st.SearchStrategy:  # type: ignore[no-untyped-def,type-arg]
    return st.lists(values, max_size=5, unique=True).map(lambda v: tuple(sorted(v, key=key)))


def id_key(v):  # type: ignore[no-untyped-def]
    return (0, v) if isinstance(v, int) else (1, v)


filters_strategy = st.builds(
    TicketFilters,
    status=tuples(names.map(lambda s: s.replace(",", ""))),
    status_category=tuples(st.sampled_from(StatusCategory.values)),
    priority=tuples(st.sampled_from(Priority.values)),
    type=tuples(st.sampled_from(TicketType.values)),
    channel=tuples(st.sampled_from(channels.values())),
    team_id=tuples(st.one_of(ids, st.just("none")), key=id_key),
    assignee_id=tuples(st.one_of(ids, st.sampled_from(["me", "none"])), key=id_key),
    requester_id=tuples(ids),
    organisation_id=tuples(ids),
    brand_id=tuples(ids),
    tag=tuples(names.map(str.lower)),
    created_after=st.none() | moments,
    created_before=st.none() | moments,
    updated_after=st.none() | moments,
    updated_before=st.none() | moments,
)


@settings(max_examples=300, deadline=None)
@given(filters_strategy)
def test_every_filter_survives_a_query_string(filters: TicketFilters) -> None:
    query = QueryDict(urlencode([*filters.to_query(), ("sort", "-id"), ("cursor", "x")]))
    assert TicketFilters.from_query(query) == filters


@settings(max_examples=300, deadline=None)
@given(filters_strategy)
def test_every_filter_survives_a_views_json(filters: TicketFilters) -> None:
    stored = json.loads(json.dumps(filters.to_dict()))
    assert TicketFilters.from_dict(stored) == filters
    assert TicketFilters.from_dict(stored, strict=True) == filters


def test_views_stored_before_keep_their_shape() -> None:
    old = {"status_category": ["new", "open"], "assignee_id": "none", "tag": "vip", "priority": [4]}
    assert TicketFilters.from_dict(old).to_dict() == old
    assert TicketFilters.from_dict({"assignee_id": ["me", 3]}).to_dict() == {"assignee_id": [3, "me"]}


def test_api_spellings_are_the_same_filter() -> None:
    a = TicketFilters.from_query(QueryDict("priority=urgent&priority=2&status_category=new,open&tag=VIP"))
    b = TicketFilters.from_dict({"priority": [4, "normal"], "status_category": ["open", "new"], "tag": "vip"})
    assert a == b and a.priority == (2, 4)


@pytest.mark.parametrize(
    "data, field",
    [
        ({"colour": "red"}, "colour"),
        ({"status_category": ["nope"]}, "status_category"),
        ({"priority": [9]}, "priority"),
        ({"priority": [True]}, "priority"),
        ({"assignee_id": "someone"}, "assignee_id"),
        ({"team_id": "me"}, "team_id"),
        ({"brand_id": "none"}, "brand_id"),
        ({"requester_id": str(2**63)}, "requester_id"),
        ({"created_after": "yesterday"}, "created_after"),
        ({"tag": "x" * 61}, "tag"),
        ({"channel": ["email"] * 0 + [f"c{i}" for i in range(51)]}, "channel"),
    ],
)
def test_bad_filters_name_their_key(data, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as info:
        TicketFilters.from_dict(data, prefix="filters.")
    assert set(info.value.fields or {}) == {f"filters.{field}"}


def test_a_view_refuses_a_key_with_no_value_where_a_query_ignores_it() -> None:
    with pytest.raises(ValidationError):
        TicketFilters.from_dict({"tag": ""}, strict=True)
    assert TicketFilters.from_query(QueryDict("tag=&priority=")) == TicketFilters()


@pytest.mark.django_db
def test_unknown_statuses_are_refused_by_name(agent) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as info:
        TicketFilters.from_dict({"status": ["open", "nope"]}).check_known()
    assert "nope" in str(info.value.fields)


@pytest.mark.django_db
def test_the_same_filter_gives_the_same_tickets_from_the_api_query_and_a_view(agent) -> None:  # type: ignore[no-untyped-def]
    requester = f.ContactFactory()
    urgent_new = ticket_create(actor=SYSTEM, requester=requester, subject="Down", body="x", priority=4)
    normal_new = ticket_create(actor=SYSTEM, requester=requester, subject="Slow", body="x")
    mine = ticket_create(actor=SYSTEM, requester=requester, subject="Mine", body="x", priority=4,
                         assignee=agent)
    view_form = TicketFilters.from_dict({"status_category": ["new", "open"], "assignee_id": "none", "priority": [4]})
    api_form = {"status_category": ["new", "open"], "assignee_id": ["none"], "priority": ["urgent"]}
    page_form = TicketFilters.from_query(QueryDict("status_category=new&status_category=open&assignee_id=none"
                                                   "&priority=4"))
    for given_filters in (view_form, api_form, page_form):
        assert set(ticket_list(viewer=agent, filters=given_filters).values_list("pk", flat=True)) == {urgent_new.pk}
    me = TicketFilters.from_dict({"assignee_id": ["me", "none"]})
    assert set(ticket_list(viewer=agent, filters=me).values_list("pk", flat=True)) == {
        urgent_new.pk, normal_new.pk, mine.pk}
