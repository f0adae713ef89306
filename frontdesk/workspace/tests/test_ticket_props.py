"""The properties panel: fields saved one by one with the value the agent saw, conflicts shown next
to the field, the no-JavaScript form, Assign to me."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from frontdesk.core.actor import Actor
from frontdesk.fields.models import CustomField
from frontdesk.testing import factories as f
from frontdesk.testing.factories import make_ticket
from frontdesk.testing.fixtures import client_for
from frontdesk.tickets.models import Ticket, TicketAudit
from frontdesk.tickets.services import ticket_update

pytestmark = pytest.mark.django_db


def update(client: Client, ticket: Ticket, data: dict[str, Any]) -> Any:
    return client.post(f"/tickets/{ticket.pk}/update/", data)


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert found, name
    return found.group(1).replace("&quot;", '"')


def page_form(client: Client, ticket: Ticket) -> tuple[str, dict[str, Any]]:
    """The page and what its properties form sends untouched (every field with its seen value)."""
    html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    t = Ticket.objects.get(pk=ticket.pk)
    data: dict[str, Any] = {
        "status": t.status, "priority": str(t.priority), "type": t.type, "team": str(t.team_id or ""),
        "assignee": str(t.assignee_id or ""), "tags": ", ".join(sorted(t.tags.values_list("name", flat=True))),
        "due_at": "", "followers_present": "1", "followers": [str(i) for i in t.followers.values_list("pk", flat=True)],
    }
    for name in ("status", "priority", "type", "team", "assignee", "tags", "due_at", "followers"):
        data[f"seen_{name}"] = hidden(html, f"seen_{name}")
    return html, data


def test_the_panel_has_no_save_button_and_each_field_carries_what_the_agent_saw(agent) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket(priority="high", tags=["vip"])
    html = client_for(agent).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Save properties" not in html
    assert "<noscript><button" in html, "without JavaScript one button sends the form"
    assert json.loads(hidden(html, "seen_priority")) == 3 and json.loads(hidden(html, "seen_tags")) == ["vip"]
    assert 'data-prop="priority"' in html and 'role="status"' in html
    assert 'role="combobox"' in html and 'name="followers" value="' in html and "multiple size" not in html, \
        "followers: a picker over checkboxes, not a Ctrl-click list"
    assert 'src="/static/workspace/props.js"' in html


def test_one_field_saved_alone_answers_that_field_with_saved_and_the_new_seen_value(agent) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    r = update(client_for(agent), ticket, {"_field": "priority", "priority": "4", "seen_priority": "2"})
    assert r.status_code == 200
    html = r.content.decode()
    assert html.lstrip().startswith('<div class="prop prop-select') and 'data-prop="priority"' in html
    assert 'data-prop="status"' not in html, "only the field saved"
    assert re.search(r'role="status"[^>]*>Saved\.</p>', html)
    assert json.loads(hidden(html, "seen_priority")) == 4
    assert 'id="ticket-header"' in html and 'hx-swap-oob="true"' in html, "the header shows the new priority"
    assert Ticket.objects.get(pk=ticket.pk).priority == 4


def test_a_stale_page_saving_only_tags_keeps_the_colleagues_priority(agent) -> None:  # type: ignore[no-untyped-def]
    ana = f.UserFactory(role="agent", name="Ana Lima")
    ticket = make_ticket(tags=["billing"])
    ben = client_for(agent)
    _, stale_form = page_form(ben, ticket)  # Ben opens the page

    update(client_for(ana), ticket, {"_field": "priority", "priority": "4", "seen_priority": "2"})
    # without JavaScript Ben's form sends every field; he changed only the tags
    r = update(ben, ticket, {**stale_form, "tags": "billing, refund"})

    assert r.status_code == 302
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.priority == 4
    assert sorted(fresh.tags.values_list("name", flat=True)) == ["billing", "refund"]
    changes = list(TicketAudit.objects.filter(ticket=ticket, action="updated").values_list("actor_user_id", "field"))
    assert changes == [(ana.pk, "priority"), (agent.pk, "tags")], "the trail shows only what each one changed"


def test_changing_a_field_changed_since_shows_both_values_next_to_it_with_keep_and_apply(agent) -> None:  # type: ignore[no-untyped-def]
    ana = f.UserFactory(role="agent", name="Ana Lima")
    ticket = make_ticket()
    ben = client_for(agent)
    update(client_for(ana), ticket, {"_field": "priority", "priority": "4", "seen_priority": "2"})

    r = update(ben, ticket, {"_field": "priority", "priority": "1", "seen_priority": "2"})

    assert r.status_code == 409
    html = r.content.decode()
    assert ("Ana Lima changed Priority to Urgent since you opened this ticket; your change (Low) was not saved."
            in html)
    assert 'role="alert" id="prop-priority-error"' in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="prop-priority-error"' in html
    assert re.search(r'<option value="1" selected>Low</option>', html), "the agent's choice stays in the field"
    assert "Keep theirs (Urgent)" in html and "Apply mine (Low)" in html
    assert json.loads(hidden(html, "seen_priority")) == 4, "now they have seen Ana's value"
    assert Ticket.objects.get(pk=ticket.pk).priority == 4

    applied = update(ben, ticket,
                     {"_field": "priority", "priority": "1", "seen_priority": "4", "apply_mine": "priority"})
    assert applied.status_code == 200 and Ticket.objects.get(pk=ticket.pk).priority == 1


def test_keep_theirs_changes_nothing_and_shows_their_value(agent) -> None:  # type: ignore[no-untyped-def]
    ana = f.UserFactory(role="agent", name="Ana Lima")
    ticket = make_ticket()
    ticket_update(actor=Actor.of(ana), ticket=ticket, priority=4)
    r = update(client_for(agent), ticket,
               {"_field": "priority", "priority": "1", "seen_priority": "4", "keep_theirs": "priority"})
    assert r.status_code == 200
    assert re.search(r'<option value="4" selected>Urgent</option>', r.content.decode())
    assert Ticket.objects.get(pk=ticket.pk).priority == 4
    assert TicketAudit.objects.filter(ticket=ticket, field="priority").count() == 1


def test_without_javascript_a_conflict_renders_the_page_with_the_typed_values_kept(agent) -> None:  # type: ignore[no-untyped-def]
    ana = f.UserFactory(role="agent", name="Ana Lima")
    ticket = make_ticket()
    ben = client_for(agent)
    _, form = page_form(ben, ticket)
    ticket_update(actor=Actor.of(ana), ticket=ticket, status="pending")

    r = update(ben, ticket, {**form, "status": "solved", "tags": "typed-by-ben"})

    assert r.status_code == 409
    html = r.content.decode()
    assert ("Ana Lima changed Status to Pending since you opened this ticket; "
            "your change (Solved) was not saved.") in html
    assert 'value="typed-by-ben"' in html, "what was typed elsewhere stays"
    assert not Ticket.objects.get(pk=ticket.pk).tags.exists(), "nothing was saved"


def test_a_bad_value_shows_the_error_next_to_the_field_and_keeps_what_was_typed(agent) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    r = update(client_for(agent), ticket, {"_field": "tags", "tags": "ok, not valid!", "seen_tags": "[]"})
    assert r.status_code == 422
    html = r.content.decode()
    assert 'value="ok, not valid!"' in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="tags-hint prop-tags-error"' in html
    assert re.search(r'<p class="field-error" id="prop-tags-error">[^<]+</p>', html)
    assert not Ticket.objects.get(pk=ticket.pk).tags.exists()


def test_one_custom_field_saved_alone_leaves_the_others_alone(agent) -> None:  # type: ignore[no-untyped-def]
    CustomField.objects.create(key="plan", label="Plan", type="dropdown", options=["basic", "pro"])
    CustomField.objects.create(key="order_no", label="Order number", type="number")
    ticket = make_ticket(custom_fields={"plan": "basic", "order_no": 7})
    r = update(client_for(agent), ticket, {"_field": "cf_plan", "custom_fields_present": "plan", "cf_plan": "pro",
                                           "seen_cf_plan": '"basic"'})
    assert r.status_code == 200, r.content
    assert Ticket.objects.get(pk=ticket.pk).custom_fields == {"plan": "pro", "order_no": 7}


def test_followers_are_saved_from_the_picker_checkboxes(agent) -> None:  # type: ignore[no-untyped-def]
    other = f.UserFactory(role="agent", name="Olive Other")
    ticket = make_ticket()
    r = update(client_for(agent), ticket, {"_field": "followers", "followers_present": "1",
                                           "followers": [str(other.pk), str(agent.pk)], "seen_followers": "[]"})
    assert r.status_code == 200
    assert set(Ticket.objects.get(pk=ticket.pk).followers.all()) == {other, agent}


def test_assign_to_me_is_offered_with_its_shortcut_and_assigns_the_viewer(agent) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    client = client_for(agent)
    html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'data-key="a"' in html and "Assign to me" in html and 'id="assign-me-form"' in html

    r = update(client, ticket, {"assign_me": "1", "seen_assignee": "null"})
    assert r.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).assignee == agent
    assert "Assign to me" not in client.get(f"/tickets/{ticket.pk}/").content.decode(), "already theirs"


def test_assign_to_me_after_someone_else_took_the_ticket_is_a_conflict(agent) -> None:  # type: ignore[no-untyped-def]
    ana = f.UserFactory(role="agent", name="Ana Lima")
    ticket = make_ticket()
    ticket_update(actor=Actor.of(ana), ticket=ticket, assignee=ana)
    r = update(client_for(agent), ticket, {"assign_me": "1", "seen_assignee": "null"})
    assert r.status_code == 409
    assert "Ana Lima changed Assignee to Ana Lima since you opened this ticket" in r.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).assignee == ana


def test_assign_to_me_is_not_offered_to_who_may_not_be_assigned(agent, light_agent) -> None:  # type: ignore[no-untyped-def]
    team = f.TeamFactory(name="Billing")
    team.members.add(f.UserFactory(role="agent"))
    ticket = make_ticket(team=team.pk)
    assert 'data-key="a"' not in client_for(agent).get(f"/tickets/{ticket.pk}/").content.decode(), "not in the team"
    plain = make_ticket()
    assert 'data-key="a"' not in client_for(light_agent).get(f"/tickets/{plain.pk}/").content.decode()


def test_a_form_without_seen_values_still_saves_what_it_sends(agent) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    r = update(client_for(agent), ticket, {"priority": "3"})
    assert r.status_code == 302 and Ticket.objects.get(pk=ticket.pk).priority == 3


def test_a_garbled_seen_value_is_an_error_not_a_500(agent) -> None:  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    r = update(client_for(agent), ticket, {"_field": "priority", "priority": "3", "seen_priority": "{nope"})
    assert r.status_code == 422 and b"reload" in r.content
    assert Ticket.objects.get(pk=ticket.pk).priority == 2
