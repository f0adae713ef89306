"""Browser journeys of the lists: bulk-assigning tickets, and searching from the top bar."""

from __future__ import annotations

import json
import uuid

from frontdesk.testing.browser import chromium_page, screenshot
from frontdesk.testing.live import LiveApp, demo_ticket, sign_in


def top(page: object) -> None:
    """Scroll back up so sticky bars sit where they belong in a full-page screenshot."""
    page.evaluate("window.scrollTo(0, 0)")  # type: ignore[attr-defined]

AGENT = "agent@demo.frontdesk.local"

PICK = """
import json
from frontdesk.accounts.models import User
from frontdesk.core.actor import SYSTEM
from frontdesk.customers.models import Contact
from frontdesk.tickets.services import ticket_create
u = User.objects.get(email=%(agent)r)
c = Contact.objects.get(primary_email='customer@demo.frontdesk.local')
ids = [ticket_create(actor=SYSTEM, requester=c, subject=f"Bulk {i} %(tag)s", body="Please help.").pk
       for i in range(3)][::-1]
print(json.dumps({"ids": ids, "user": u.pk, "name": u.name or u.email}))
"""


def test_an_agent_bulk_assigns_three_tickets_from_a_list(live_app: LiveApp) -> None:
    # three unassigned tickets of its own: the newest, so the first rows of a list sorted by -id
    picked = json.loads(live_app.shell(PICK % {"agent": AGENT, "tag": uuid.uuid4().hex[:8]}).strip().splitlines()[-1])
    ids, me, name = picked["ids"], picked["user"], picked["name"]
    assert len(ids) == 3
    with chromium_page() as page:
        sign_in(page, live_app, AGENT)
        page.goto(live_app.url + "/views/")  # type: ignore[attr-defined]
        assert page.locator("table.views-table [data-count]").count() >= 1  # type: ignore[attr-defined]
        screenshot(page, "lists-views")
        with page.expect_navigation():  # type: ignore[attr-defined]
            page.click("text=All tickets >> nth=-1")  # type: ignore[attr-defined]
        page.click(".filters-summary")  # type: ignore[attr-defined]  # the panel is folded when unfiltered
        page.select_option("#f-sort", "-id")  # type: ignore[attr-defined]
        with page.expect_navigation():  # type: ignore[attr-defined]
            page.click("form.filters button[type=submit]")  # type: ignore[attr-defined]
        assert page.locator("[data-bulk-bar]").is_hidden()  # type: ignore[attr-defined]
        for pk in ids:
            page.check(f"#select-{pk}")  # type: ignore[attr-defined]
        assert page.locator("[data-bulk-bar]").is_visible()  # type: ignore[attr-defined]
        assert page.inner_text("[data-bulk-count]") == "3"  # type: ignore[attr-defined]
        page.select_option("#bulk-assignee", str(me))  # type: ignore[attr-defined]
        top(page)
        screenshot(page, "lists-bulk-bar")
        with page.expect_navigation():  # type: ignore[attr-defined]
            page.click("[data-bulk-bar] button[value=update]")  # type: ignore[attr-defined]
        assert "3 tickets updated." in page.inner_text(".flash")  # type: ignore[attr-defined]
        for pk in ids:
            row = page.locator(f"tr[data-row]:has(#select-{pk})")  # type: ignore[attr-defined]
            assert row.locator(".col-assignee").inner_text().strip() == name
        screenshot(page, "lists-after-bulk")
    check = (
        "from frontdesk.tickets.models import Ticket; "
        f"print(sorted(Ticket.objects.filter(pk__in={ids}).values_list('assignee_id', flat=True)))"
    )
    assert live_app.shell(check).strip().splitlines()[-1] == str([me, me, me])


def test_search_from_the_top_bar_suggests_then_shows_results(live_app: LiveApp) -> None:
    word = f"Pelican{uuid.uuid4().hex[:6]}"  # a word only this test's ticket holds
    demo_ticket(live_app, f"{word} printer jams", "The printer jams on every page.")
    with chromium_page() as page:
        sign_in(page, live_app, AGENT)
        page.goto(live_app.url + "/tickets/")  # type: ignore[attr-defined]
        page.keyboard.press("/")  # type: ignore[attr-defined]
        page.keyboard.type(word)  # type: ignore[attr-defined]
        page.wait_for_selector("#search-suggest .suggest-item")  # type: ignore[attr-defined]
        assert page.locator("#search-suggest mark").count() >= 1  # type: ignore[attr-defined]
        screenshot(page, "search-suggest")
        page.keyboard.press("Enter")  # type: ignore[attr-defined]
        page.wait_for_url("**/search/?q=*")  # type: ignore[attr-defined]
        assert page.locator(".result").count() >= 1  # type: ignore[attr-defined]
        screenshot(page, "search-results")
    with chromium_page(width=900, height=1100) as page:
        sign_in(page, live_app, AGENT)
        page.goto(live_app.url + "/tickets/")  # type: ignore[attr-defined]
        page.check("[data-row] input[data-select-row] >> nth=0")  # type: ignore[attr-defined]
        top(page)
        screenshot(page, "lists-tablet")
        page.goto(live_app.url + f"/search/?q={word}")  # type: ignore[attr-defined]
        screenshot(page, "search-results-tablet")
