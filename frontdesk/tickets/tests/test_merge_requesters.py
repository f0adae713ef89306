"""Merging tickets of two different requesters: refused unless the caller chooses who keeps the
merged ticket and whose CCs stay. Red-team finding 8 (issue 8): the other customer then read the
first one's messages."""

from __future__ import annotations

import pytest

from frontdesk.core.actor import Actor
from frontdesk.core.errors import Conflict, ValidationError
from frontdesk.core.events.models import OutboxEvent
from frontdesk.testing import factories as f
from frontdesk.testing.factories import contact_of, make_ticket
from frontdesk.tickets import policies
from frontdesk.tickets.models import Message, Ticket
from frontdesk.tickets.services import RequestersDiffer, tickets_merge

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(customer_user):  # type: ignore[no-untyped-def]
    """Two customers' tickets, each with a CC of their own."""
    other = f.customer_with_contact()
    cc_a, cc_b = f.ContactFactory(), f.ContactFactory()
    source = make_ticket(requester=contact_of(customer_user), subject="Mine", body="my secret", ccs=[cc_a])
    target = make_ticket(requester=contact_of(other), subject="Theirs", body="their words", ccs=[cc_b])
    return {"source": source, "target": target, "me": customer_user, "other": other, "cc_a": cc_a, "cc_b": cc_b}


def _merge(agent, pair, **choice):  # type: ignore[no-untyped-def]
    return tickets_merge(actor=Actor.of(agent), source=pair["source"], target=pair["target"], **choice)


def _ccs(ticket: Ticket) -> set[int]:
    return set(ticket.ccs.values_list("pk", flat=True))


def test_different_requesters_are_refused_without_a_choice(agent, pair) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RequestersDiffer) as caught:
        _merge(agent, pair)
    exc = caught.value
    assert isinstance(exc, Conflict) and exc.status == 409 and exc.code == "requesters_differ"
    assert "different requesters" in exc.message and exc.fields == {"requester": "choose target or source"}
    source = Ticket.objects.get(pk=pair["source"].pk)
    assert source.merged_into_id is None and source.status_category != "closed"
    assert Message.objects.filter(ticket=source).count() == 1, "nothing moved"


def test_keeping_the_target_requester_copies_nobody_of_the_other_side(agent, pair) -> None:  # type: ignore[no-untyped-def]
    merged = _merge(agent, pair, requester="target")
    merged.refresh_from_db()
    assert merged.requester_id == pair["target"].requester_id
    assert _ccs(merged) == {pair["cc_b"].pk}, "neither the other requester nor their CC reads it"
    assert not policies.can_view(pair["me"], merged), "the source's customer does not see the other's ticket"
    assert policies.can_view(pair["other"], merged)


def test_copying_the_other_requester_is_an_explicit_choice(agent, pair) -> None:  # type: ignore[no-untyped-def]
    merged = _merge(agent, pair, requester="target", other_requester_as_cc=True, ccs="both")
    assert _ccs(merged) == {pair["cc_a"].pk, pair["cc_b"].pk, pair["source"].requester_id}
    assert policies.can_view(pair["me"], merged)


def test_keeping_the_source_requester_moves_requester_organisation_and_ccs(agent, pair) -> None:  # type: ignore[no-untyped-def]
    org = f.OrganisationFactory()
    Ticket.objects.filter(pk=pair["source"].pk).update(organisation=org)
    merged = _merge(agent, pair, requester="source")
    merged = Ticket.objects.get(pk=merged.pk)
    assert merged.requester_id == pair["source"].requester_id and merged.organisation_id == org.pk
    assert _ccs(merged) == {pair["cc_a"].pk}, "the target's CC no longer reads the source's customer's ticket"
    assert not policies.can_view(pair["other"], merged) and policies.can_view(pair["me"], merged)
    changes = OutboxEvent.objects.filter(name="ticket.updated").latest("pk").payload["changes"]
    assert changes["requester_id"] == [pair["target"].requester_id, pair["source"].requester_id]
    assert changes["ccs"] == [[pair["cc_b"].pk], [pair["cc_a"].pk]]


def test_the_same_requester_needs_no_choice_and_keeps_every_cc(agent) -> None:  # type: ignore[no-untyped-def]
    requester = f.ContactFactory()
    cc_a, cc_b = f.ContactFactory(), f.ContactFactory()
    source = make_ticket(requester=requester, ccs=[cc_a])
    target = make_ticket(requester=requester, ccs=[cc_b])
    merged = tickets_merge(actor=Actor.of(agent), source=source, target=target)
    assert _ccs(merged) == {cc_a.pk, cc_b.pk} and merged.requester_id == requester.pk


@pytest.mark.parametrize("choice", [{"requester": "both"}, {"ccs": "all"}, {"other_requester_as_cc": "yes"}])
def test_a_wrong_choice_is_a_field_error(agent, pair, choice) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        _merge(agent, pair, **choice)
    assert set(caught.value.fields) == set(choice)


def test_the_api_answers_409_then_merges_with_the_choice(api_for, agent, pair) -> None:  # type: ignore[no-untyped-def]
    api = api_for(agent)
    url = f"/api/v1/tickets/{pair['source'].pk}/merge"
    r = api.post(url, {"target_id": pair["target"].pk})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "requesters_differ" and "requester" in r.json()["error"]["fields"]
    assert api.post(url, {"target_id": pair["target"].pk, "requester": "nobody"}).status_code == 422
    r = api.post(url, {"target_id": pair["target"].pk, "requester": "source", "other_requester_as_cc": True})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["id"] == pair["target"].pk and body["requester"]["id"] == pair["source"].requester_id
    assert set(body["cc_ids"]) == {pair["cc_a"].pk, pair["target"].requester_id}


def test_the_customer_api_no_longer_shows_the_merged_ticket_to_the_other_customer(api_for, agent, pair) -> None:  # type: ignore[no-untyped-def]
    _merge(agent, pair, requester="target")
    mine = api_for(pair["me"]).get(f"/api/v1/tickets/{pair['target'].pk}/messages")
    assert mine.status_code == 404
