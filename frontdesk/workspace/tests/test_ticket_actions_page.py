"""The ticket page's actions (merge, split, link, solve incidents): a refused action shows the page
again with that action's dialog open, the error under the field it is about, announced, and what
was typed kept; merging a ticket into itself is refused before the confirmation page."""

from __future__ import annotations

import re

import pytest

from frontdesk.core.actor import SYSTEM
from frontdesk.testing import factories as f
from frontdesk.testing.factories import make_ticket
from frontdesk.testing.fixtures import client_for
from frontdesk.tickets.models import Ticket, TicketLink
from frontdesk.tickets.services import message_add

pytestmark = pytest.mark.django_db


def dialog(html: str, name: str) -> str:
    """The markup of one action's <dialog>."""
    match = re.search(rf'<dialog id="{name}-dialog".*?</dialog>', html, re.S)
    assert match, f"no {name} dialog on the page"
    return match.group(0)


def field_error(html: str, field_id: str) -> str:
    """The error text under a field, checking the field points at it and is marked invalid."""
    tag = re.search(rf'<(?:input|select|textarea)[^>]*id="{field_id}"[^>]*>', html, re.S)
    assert tag, f"no field #{field_id}"
    assert 'aria-invalid="true"' in tag.group(0)
    assert f'aria-describedby="{field_id}-error"' in tag.group(0)
    error = re.search(rf'<p id="{field_id}-error" class="field-error" role="alert">(.*?)</p>', html, re.S)
    assert error, f"no error under #{field_id}"
    return error.group(1)


def typed(html: str, field_id: str) -> str | None:
    tag = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html, re.S)
    assert tag
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


@pytest.mark.parametrize(("raw", "status", "says"), [
    ("abc", 400, "“abc” is not a ticket number"),
    ("99999", 404, "There is no ticket #99999 that you can see."),
    ("#99999999999999999999", 400, "is not a ticket number"),
    ("   ", 400, "Type the number of a ticket."),
])
def test_a_bad_merge_target_is_shown_under_the_field_with_what_was_typed(agent, raw, status, says) -> None:  # type: ignore[no-untyped-def]
    source = make_ticket()
    response = client_for(agent).get(f"/tickets/{source.pk}/merge/", {"target": raw})
    assert response.status_code == status, "no redirect that would lose what was typed"
    html = response.content.decode()
    merge = dialog(html, "merge")
    assert " open data-open-on-load" in merge.split(">", 1)[0], "the merge dialog is open"
    assert says in field_error(merge, "merge-target")
    assert typed(merge, "merge-target") == raw
    assert "Ticket not found." not in html
    assert 'id="link-target-error"' not in html, "only the merge dialog shows an error"
    assert Ticket.objects.get(pk=source.pk).merged_into_id is None


def test_a_ticket_the_agent_cannot_see_is_not_found_and_not_named(agent) -> None:  # type: ignore[no-untyped-def]
    source = make_ticket()
    hidden = make_ticket(subject="Payroll secrets", team=f.TeamFactory(restricted=True))
    response = client_for(agent).get(f"/tickets/{source.pk}/merge/", {"target": str(hidden.pk)})
    assert response.status_code == 404
    html = response.content.decode()
    assert f"There is no ticket #{hidden.pk} that you can see." in field_error(dialog(html, "merge"), "merge-target")
    assert "Payroll secrets" not in html


def test_merging_a_ticket_into_itself_is_refused_before_any_confirmation(agent) -> None:  # type: ignore[no-untyped-def]
    source = make_ticket(subject="Only me")
    client = client_for(agent)
    for raw in (str(source.pk), f"#{source.pk}", f" {source.pk} "):
        response = client.get(f"/tickets/{source.pk}/merge/", {"target": raw})
        assert response.status_code == 400
        html = response.content.decode()
        assert "cannot be merged into itself" in field_error(dialog(html, "merge"), "merge-target")
        assert "merge-confirm" not in html and "Merge into #" not in html, "no confirmation page"
    response = client.post(f"/tickets/{source.pk}/merge/", {"target": str(source.pk)})
    assert response.status_code == 400 and "cannot be merged into itself" in response.content.decode()
    assert Ticket.objects.get(pk=source.pk).merged_into_id is None


def test_a_good_merge_target_still_goes_to_the_confirmation(agent) -> None:  # type: ignore[no-untyped-def]
    requester = f.ContactFactory()
    source, target = make_ticket(requester), make_ticket(requester, subject="The original")
    response = client_for(agent).get(f"/tickets/{source.pk}/merge/", {"target": f"#{target.pk}"})
    assert response.status_code == 200 and "The original" in response.content.decode()
    assert f"Merge into #{target.pk}" in response.content.decode()


@pytest.mark.parametrize(("raw", "status", "says"), [
    ("abc", 400, "“abc” is not a ticket number"),
    ("99999", 404, "There is no ticket #99999 that you can see."),
])
def test_a_bad_link_target_keeps_the_number_and_the_kind(agent, raw, status, says) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    response = client_for(agent).post(f"/tickets/{ticket.pk}/link/", {"target": raw, "kind": "follow_up_of"})
    assert response.status_code == status
    link = dialog(response.content.decode(), "link")
    assert " open data-open-on-load" in link.split(">", 1)[0]
    assert says in field_error(link, "link-target")
    assert typed(link, "link-target") == raw
    assert '<option value="follow_up_of" selected>' in link
    assert not TicketLink.objects.filter(source=ticket).exists()


def test_linking_to_itself_or_to_a_non_problem_is_shown_by_the_field(agent) -> None:  # type: ignore[no-untyped-def]
    ticket, other = make_ticket(), make_ticket(subject="Not a problem")
    client = client_for(agent)
    itself = client.post(f"/tickets/{ticket.pk}/link/", {"target": str(ticket.pk), "kind": "related"})
    assert itself.status_code == 400
    assert "cannot be linked to itself" in field_error(dialog(itself.content.decode(), "link"), "link-target")
    incident = client.post(f"/tickets/{ticket.pk}/link/", {"target": str(other.pk), "kind": "incident_of"})
    assert incident.status_code == 400
    assert "Incidents link to a problem ticket." in field_error(dialog(incident.content.decode(), "link"),
                                                                "link-target")
    bad_kind = client.post(f"/tickets/{ticket.pk}/link/", {"target": str(other.pk), "kind": "nonsense"})
    assert bad_kind.status_code == 400
    assert "Unknown link kind." in field_error(dialog(bad_kind.content.decode(), "link"), "link-kind")


def test_splitting_with_no_message_ticked_says_so_next_to_the_split_button(agent) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    response = client_for(agent).post(f"/tickets/{ticket.pk}/split/", {})
    assert response.status_code == 400
    split = dialog(response.content.decode(), "split")
    assert " open data-open-on-load" in split.split(">", 1)[0]
    assert 'id="split-submit" aria-describedby="split-error"' in split
    error = re.search(r'<p id="split-error" class="field-error" role="alert">(.*?)</p>', split, re.S)
    assert error and "Tick the messages to split off first" in error.group(1)
    assert Ticket.objects.count() == 1


def test_splitting_every_message_keeps_the_ticked_boxes(agent) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    first = ticket.messages.get()
    second = message_add(actor=SYSTEM, ticket=ticket, body="More", author_contact=ticket.requester)
    response = client_for(agent).post(f"/tickets/{ticket.pk}/split/",
                                      {"message_ids": [str(first.pk), str(second.pk)]})
    assert response.status_code == 400
    split = dialog(response.content.decode(), "split")
    assert "At least one message must stay on the ticket." in split
    assert f'data-checked="{first.pk},{second.pk}"' in split, "actions.js ticks them again"
    bad = client_for(agent).post(f"/tickets/{ticket.pk}/split/", {"message_ids": ["x1"]})
    assert bad.status_code == 400 and "not on this ticket" in dialog(bad.content.decode(), "split")


def test_solving_incidents_with_an_empty_reply_keeps_the_dialog_open(agent) -> None:  # type: ignore[no-untyped-def]
    problem = make_ticket(subject="Outage", type="problem")
    response = client_for(agent).post(f"/tickets/{problem.pk}/solve-incidents/", {"body": "   "})
    assert response.status_code == 400
    solve = dialog(response.content.decode(), "solve")
    assert " open data-open-on-load" in solve.split(">", 1)[0]
    assert "Write the reply" in field_error(solve, "solve-body")
    assert Ticket.objects.get(pk=problem.pk).status != "solved"


def test_the_actions_are_a_menu_in_the_toolbar_with_closed_dialogs(agent) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    html = client_for(agent).get(f"/tickets/{ticket.pk}/").content.decode()
    toolbar = html.split('<div class="toolbar ticket-toolbar">', 1)[1].split('<span class="spacer">', 1)[0]
    assert 'id="actions-menu-button" aria-haspopup="menu" aria-expanded="false" aria-controls="actions-menu"' in toolbar
    assert '<ul id="actions-menu" class="actions-menu-list" role="menu"' in toolbar
    assert toolbar.count('role="menuitem"') == 3, "merge, split, link (solve only on problems)"
    for name in ("merge", "split", "link"):
        assert " open" not in dialog(html, name).split(">", 1)[0]
    assert 'class="card ticket-actions"' not in html, "no actions panel under the composer any more"
    assert 'src="/static/workspace/actions.js"' in html


def test_a_closed_ticket_has_no_actions_and_a_late_post_says_why_on_top(agent) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(status="closed", status_category="closed")
    client = client_for(agent)
    assert "actions-menu-button" not in client.get(f"/tickets/{ticket.pk}/").content.decode()
    response = client.post(f"/tickets/{ticket.pk}/split/", {}, follow=True)
    assert response.status_code == 200
    assert "Tick the messages to split off first" in response.content.decode()
