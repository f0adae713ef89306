"""Browser: a view's filter form shows the view's whole definition, and pressing Filter without
changing anything keeps the view's tickets (it took "Unassigned open" from 19 tickets to 0). The test
makes views of its own with the definitions of the demo's "Unassigned open" and "My open tickets",
narrowed to a tag of its own, so what they hold does not depend on what other tests did."""

from __future__ import annotations

import json
import uuid
from typing import Any

from frontdesk.testing.browser import chromium_page, screenshot
from frontdesk.testing.live import LiveApp, sign_in

AGENT = "agent@demo.frontdesk.local"

VIEWS = """
import json
from frontdesk.accounts.models import User
from frontdesk.core.actor import SYSTEM
from frontdesk.customers.models import Contact
from frontdesk.tickets.models import View
from frontdesk.tickets.services import ticket_create
c = Contact.objects.get(primary_email='customer@demo.frontdesk.local')
agent = User.objects.get(email='agent@demo.frontdesk.local')
tag = %(tag)r
for subject, priority, assignee in [("Site down", 4, None), ("Invoice copy", 2, None), ("Refund", 3, None),
                                    ("Password", 2, agent), ("Export", 4, agent)]:
    ticket_create(actor=SYSTEM, requester=c, subject=subject, body="Please help.", priority=priority,
                  assignee=assignee, tags=[tag])
views = {
    "Unassigned open": {"status_category": ["new", "open"], "assignee_id": "none", "tag": tag},
    "My open tickets": {"status_category": ["new", "open", "pending", "on_hold"], "assignee_id": "me", "tag": tag},
}
print(json.dumps({name: View.objects.create(name=f"{name} {tag}", owner=agent, filters=filters, position=1000).pk
                  for name, filters in views.items()}))
"""


def open_filters(page: Any) -> None:
    """The filter panel is open when the list is filtered, folded otherwise: unfold it if needed."""
    if not page.locator("#filters-form").is_visible():
        page.click(".filters-summary")
    page.locator("#filters-form").wait_for(state="visible")


def rows(page: Any) -> list[str]:
    return list(page.locator("#ticket-rows input[data-select-row]").evaluate_all("els => els.map(e => e.value)"))


def test_filtering_a_view_without_changes_keeps_it_and_narrowing_keeps_its_conditions(live_app: LiveApp) -> None:
    tag = f"lf-{uuid.uuid4().hex[:8]}"
    views = json.loads(live_app.shell(VIEWS % {"tag": tag}).strip().splitlines()[-1])
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        for name in ("Unassigned open", "My open tickets"):
            p.goto(f"{live_app.url}/views/{views[name]}/")
            before = rows(p)
            assert before, f"the {name!r} view holds the test's tickets"
            open_filters(p)
            status = p.locator("details.filter-menu", has_text="Status")
            status.locator("summary").click()
            checked = status.locator("input[name=status_category]:checked").evaluate_all(
                "els => els.map(e => e.value)")
            assert checked == (["new", "open"] if name == "Unassigned open" else ["new", "open", "pending", "on_hold"])
            screenshot(p, f"list-filters-{name.lower().replace(' ', '-')}")
            with p.expect_navigation():
                p.click("#filters-form button[type=submit]")
            assert rows(p) == before
            assert p.locator(".list-head .pill", has_text="filters changed").count() == 0

        # narrowing "Unassigned open" to Urgent keeps New/Open and unassigned
        p.goto(f"{live_app.url}/views/{views['Unassigned open']}/")
        open_filters(p)
        priority = p.locator("details.filter-menu", has_text="Priority")
        priority.locator("summary").click()
        priority.locator("label", has_text="Urgent").click()
        p.keyboard.press("Escape")
        assert priority.locator("[data-filter-value]").inner_text() == "Urgent"
        with p.expect_navigation():
            p.click("#filters-form button[type=submit]")
        urgent = rows(p)
        expected = live_app.shell(
            "from frontdesk.tickets.models import Ticket\n"
            "print(sorted(Ticket.objects.filter(status_category__in=['new', 'open'], assignee=None, priority=4,"
            f" tags__name={tag!r}).values_list('pk', flat=True)))"
        ).strip().splitlines()[-1]
        assert sorted(int(i) for i in urgent) == json.loads(expected)
        assert p.locator(".list-head .pill", has_text="filters changed").count() == 1
        screenshot(p, "list-filters-narrowed")
