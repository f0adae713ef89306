"""ETag on ticket reads, If-Match on PATCH (412 on a stale version)."""

from __future__ import annotations

import pytest

from frontdesk.core.actor import SYSTEM
from frontdesk.testing.factories import make_ticket
from frontdesk.tickets.models import Ticket, TicketAudit
from frontdesk.tickets.services import ticket_update

pytestmark = pytest.mark.django_db


def test_get_returns_a_strong_etag_from_the_version(api_for, agent) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    api = api_for(agent)
    first = api.get(f"/api/v1/tickets/{ticket.pk}")
    assert first.status_code == 200
    tag = first["ETag"]
    assert tag == f'"{first.json()["version"]}"' and not tag.startswith("W/")

    ticket_update(actor=SYSTEM, ticket=ticket, priority=4)
    second = api.get(f"/api/v1/tickets/{ticket.pk}")
    assert second["ETag"] != tag, "a change gives a new tag"
    assert api.get(f"/api/v1/tickets/{ticket.pk}")["ETag"] == second["ETag"], "no change, same tag"


def test_if_none_match_with_the_current_tag_is_304(api_for, agent) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    api = api_for(agent)
    tag = api.get(f"/api/v1/tickets/{ticket.pk}")["ETag"]
    unchanged = api.get(f"/api/v1/tickets/{ticket.pk}", headers={"If-None-Match": tag})
    assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged["ETag"] == tag
    assert api.get(f"/api/v1/tickets/{ticket.pk}", headers={"If-None-Match": '"999"'}).status_code == 200


def test_patch_with_the_current_tag_applies_and_returns_the_new_tag(api_for, agent) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    api = api_for(agent)
    tag = api.get(f"/api/v1/tickets/{ticket.pk}")["ETag"]
    r = api.patch(f"/api/v1/tickets/{ticket.pk}", {"priority": "urgent"}, headers={"If-Match": tag})
    assert r.status_code == 200, r.content
    assert r.json()["priority"] == 4
    assert r["ETag"] != tag and r["ETag"] == f'"{Ticket.objects.get(pk=ticket.pk).version}"'
    assert api.get(f"/api/v1/tickets/{ticket.pk}")["ETag"] == r["ETag"]


def test_patch_with_a_stale_tag_is_412_and_changes_nothing(api_for, agent) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    api = api_for(agent)
    stale = api.get(f"/api/v1/tickets/{ticket.pk}")["ETag"]
    ticket_update(actor=SYSTEM, ticket=ticket, priority=4)  # a colleague, meanwhile

    r = api.patch(f"/api/v1/tickets/{ticket.pk}", {"priority": "low", "tags": ["x"]}, headers={"If-Match": stale})

    assert r.status_code == 412
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == "precondition_failed"
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.priority == 4 and not fresh.tags.exists()
    assert not TicketAudit.objects.filter(ticket=ticket, field="tags").exists()


@pytest.mark.parametrize("header", ['W/"1"', "1", '"abc"', ""])
def test_weak_or_malformed_tags_never_match(api_for, agent, header: str) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    r = api_for(agent).patch(f"/api/v1/tickets/{ticket.pk}", {"priority": 3}, headers={"If-Match": header})
    assert r.status_code == 412, r.content
    assert Ticket.objects.get(pk=ticket.pk).priority == 2


def test_a_list_of_tags_or_a_star_matches_and_no_header_works_as_before(api_for, agent) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    api = api_for(agent)
    tag = api.get(f"/api/v1/tickets/{ticket.pk}")["ETag"]
    assert api.patch(f"/api/v1/tickets/{ticket.pk}", {"priority": 3},
                     headers={"If-Match": f'"12345", {tag}'}).status_code == 200
    assert api.patch(f"/api/v1/tickets/{ticket.pk}", {"priority": 1}, headers={"If-Match": "*"}).status_code == 200
    plain = api.patch(f"/api/v1/tickets/{ticket.pk}", {"priority": 4})
    assert plain.status_code == 200 and plain.json()["priority"] == 4 and "ETag" in plain


def test_412_does_not_tell_someone_who_cannot_see_the_ticket_that_it_exists(api_for, agent) -> None:  # type: ignore[no-untyped-def]
    from frontdesk.testing.factories import team_with

    ticket = make_ticket(team=team_with(restricted=True).pk)
    r = api_for(agent).patch(f"/api/v1/tickets/{ticket.pk}", {"priority": 3}, headers={"If-Match": '"999"'})
    assert r.status_code == 404
