"""Browser journeys through the workspace's frame: the bell after a mention, the 404 page, and
pictures of the frame on the main pages (1280 px and a tablet's 820 px)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.sync_api import expect

from frontdesk.testing.browser import chromium_page
from frontdesk.testing.browser import screenshot_top as screenshot
from frontdesk.testing.live import LiveApp, sign_in
from frontdesk.testing.live import demo_ticket as new_ticket

AGENT = "agent@demo.frontdesk.local"
ADMIN = "admin@demo.frontdesk.local"


def bell_count(p: Any) -> int:
    badge = p.locator("[data-bell] [data-bell-count]")
    return int(badge.inner_text().rstrip("+")) if badge.count() else 0


def test_a_mention_lights_the_bell_and_opening_the_ticket_reads_it(live_app: LiveApp) -> None:
    subject = f"Refund for order {uuid.uuid4().hex[:6]}"
    ticket_id = new_ticket(live_app, subject)
    with chromium_page() as page:  # agent B, before anything happened: the server has their bell cached
        b: Any = page
        sign_in(b, live_app, AGENT)
        before = bell_count(b)
        # an assignment made by another process (as `mail ingest` from cron is) rings it at once
        new_ticket(live_app, "Another one for the agent", assignee=AGENT)
        b.reload()
        assert bell_count(b) == before + 1
        before += 1

    with chromium_page() as page:  # agent A writes a note mentioning B
        a: Any = page
        sign_in(a, live_app, ADMIN)
        a.goto(f"{live_app.url}/tickets/{ticket_id}/")
        a.keyboard.press("i")
        a.keyboard.type("@agent can you approve this refund?")
        with a.expect_navigation():
            a.keyboard.press("Control+Enter")
        expect(a.locator(".message.note", has_text="can you approve this refund")).to_be_visible()

    with chromium_page() as page:  # agent B sees it
        b = page
        sign_in(b, live_app, AGENT)
        assert bell_count(b) == before + 1
        b.locator("[data-bell] summary").click()
        item = b.locator(".bell-list li.unread", has_text=subject)
        expect(item).to_be_visible()
        assert "Ada Admin mentioned you" in item.inner_text()
        screenshot(b, "chrome-bell-open-1280")
        with b.expect_navigation():
            item.locator("a").click()
        assert re.search(rf"/tickets/{ticket_id}/#message-\d+$", b.url)
        assert bell_count(b) == before, "opening the ticket read its notification"
        b.locator("[data-bell] summary").click()
        expect(b.locator(".bell-list li", has_text=subject)).not_to_have_class(re.compile("unread"))
        b.keyboard.press("Escape")
        expect(b.locator(".bell-panel")).to_be_hidden()

        # the others: "Mark all read", through the API with the session's CSRF token
        b.locator("[data-bell] summary").click()
        with b.expect_response(lambda r: r.url.endswith("/api/v1/notifications/mark-read")) as done:
            b.get_by_role("button", name="Mark all read").click()
        assert done.value.status == 200
        expect(b.locator("[data-bell] [data-bell-count]")).to_have_count(0)
        b.reload()
        assert bell_count(b) == 0


def test_the_frame_on_the_main_pages_and_the_404(live_app: LiveApp) -> None:
    ticket_id = new_ticket(live_app, "Screenshot: the frame around a ticket")
    for width, height, suffix in ((1280, 800, "1280"), (820, 1180, "820")):
        with chromium_page(width=width, height=height) as page:
            p: Any = page
            sign_in(p, live_app, AGENT)
            assert re.search(r"/views/\d+/$", p.url), "signing in opens the agent's first queue"
            expect(p.locator(".nav-list a[aria-current=page]")).to_have_count(1)
            screenshot(p, f"chrome-queue-{suffix}")
            p.goto(f"{live_app.url}/views/")
            screenshot(p, f"chrome-views-{suffix}")
            p.goto(f"{live_app.url}/tickets/{ticket_id}/")
            screenshot(p, f"chrome-ticket-{suffix}")
            response = p.goto(f"{live_app.url}/tickets/none/here/")
            assert response is not None and response.status == 404
            expect(p.get_by_role("heading", name="Page not found")).to_be_visible()
            expect(p.locator("nav.sidebar")).to_be_visible()
            screenshot(p, f"chrome-404-{suffix}")
            accent = p.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()")
            assert re.fullmatch(r"#[0-9a-f]{6}", accent), "the brand's colour is set without inline styles"
            with p.expect_navigation():
                p.get_by_role("link", name="Back to your queue").click()
            assert re.search(r"/views/\d+/$", p.url)
