"""In Chromium: merging one customer's ticket into another customer's shows the warning and the
choice of requester; without a choice nothing is merged, with one the ticket keeps that requester.
Red-team finding 8 (issue 8)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from frontdesk.testing.browser import chromium_page, screenshot
from frontdesk.testing.live import LiveApp, sign_in

pytestmark = pytest.mark.browser
AGENT = "agent@demo.frontdesk.local"


def _ticket_of_new_customer(app: LiveApp, subject: str) -> tuple[int, int]:
    """(ticket id, requester id): a ticket from a customer of its own, made through the service."""
    tag = uuid.uuid4().hex[:6]
    out = app.shell(
        "from frontdesk.core.actor import SYSTEM\n"
        "from frontdesk.customers.models import Contact\n"
        "from frontdesk.tickets.services import ticket_create\n"
        f"c = Contact.objects.create(name='Customer {tag}', primary_email='c{tag}@example.com')\n"
        f"t = ticket_create(actor=SYSTEM, requester=c, subject={subject!r}, body='Private details {tag}')\n"
        "print(t.pk, c.pk)"
    )
    ticket_id, contact_id = out.strip().splitlines()[-1].split()
    return int(ticket_id), int(contact_id)


def _state(app: LiveApp, ticket_id: int) -> dict[str, Any]:
    out = app.shell(
        "import json\n"
        "from frontdesk.tickets.models import Ticket\n"
        f"t = Ticket.objects.get(pk={ticket_id})\n"
        "print(json.dumps({'merged_into': t.merged_into_id, 'requester': t.requester_id,"
        " 'ccs': sorted(t.ccs.values_list('pk', flat=True))}))"
    )
    return dict(json.loads(out.strip().splitlines()[-1]))


def test_the_merge_dialog_warns_about_another_requester_and_asks_who_keeps_it(live_app: LiveApp) -> None:
    source, source_requester = _ticket_of_new_customer(live_app, "Refund for my order")
    target, target_requester = _ticket_of_new_customer(live_app, "Refund request")
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        p.goto(f"{live_app.url}/tickets/{source}/")
        p.get_by_role("button", name="More actions").click()  # the actions menu of the toolbar
        p.get_by_role("menuitem", name="Merge into another ticket…").click()
        p.get_by_label("Merge this ticket into ticket number").fill(str(target))
        with p.expect_navigation():
            p.get_by_role("button", name="Merge…").click()
        warning = p.locator("#merge-warning")
        assert warning.is_visible()
        assert "different requesters" in warning.inner_text()
        screenshot(p, "ticket-merge-different-requesters")
        # the browser itself asks for the choice: nothing is posted without it
        p.get_by_role("button", name=f"Merge into #{target}").click()
        assert p.url.endswith(f"/tickets/{source}/merge/?target={target}")
        assert _state(live_app, source)["merged_into"] is None
        other_cc = p.get_by_label("Also copy the other requester", exact=False)
        assert not other_cc.is_checked(), "copying the other customer is off by default"
        p.get_by_label("(the target's requester)", exact=False).check()
        p.get_by_role("button", name=f"Merge into #{target}").click()
        p.wait_for_url(f"**/tickets/{target}/")
    assert _state(live_app, source)["merged_into"] == target
    merged = _state(live_app, target)
    assert merged["requester"] == target_requester and source_requester not in merged["ccs"]
