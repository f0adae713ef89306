"""In Chromium: the top-bar search box is an ARIA combobox (arrow keys choose a suggestion, Enter
opens it, Escape closes the list), and a ticket number typed into it opens that ticket."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from frontdesk.testing.axe import assert_accessible
from frontdesk.testing.browser import chromium_page, screenshot
from frontdesk.testing.live import LiveApp, sign_in

pytestmark = pytest.mark.browser
AGENT = "agent@demo.frontdesk.local"


def new_ticket(app: LiveApp, subject: str, requester: str = "Rosalind Franklin") -> int:
    out = app.shell(
        "from frontdesk.core.actor import SYSTEM\n"
        "from frontdesk.customers.models import Contact\n"
        "from frontdesk.tickets.services import ticket_create\n"
        f"c = Contact.objects.create(name={requester!r})\n"
        f"t = ticket_create(actor=SYSTEM, requester=c, subject={subject!r}, body='Hello')\n"
        "print(t.pk)"
    )
    return int(out.strip().splitlines()[-1])


def test_suggestions_are_chosen_with_the_arrow_keys_and_opened_with_enter(live_app: LiveApp) -> None:
    word = f"Quetzal{uuid.uuid4().hex[:6]}"
    new_ticket(live_app, f"{word} first report")
    new_ticket(live_app, f"{word} second report")
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        p.goto(f"{live_app.url}/search/")  # search.js on every page once base.html loads it
        box = p.get_by_role("combobox", name="Search tickets, customers and organisations")
        expect(box).to_have_attribute("aria-expanded", "false")
        expect(box).to_have_attribute("aria-controls", "search-suggest")
        box.click()
        with p.expect_response(lambda r: "/search/suggest/" in r.url and word.lower() in r.url.lower()):
            box.type(word)
        options = p.locator("#search-suggest [role=option]")
        expect(options.first).to_be_visible()
        expect(box).to_have_attribute("aria-expanded", "true")
        tickets = p.locator("#search-suggest .suggest-ticket")
        expect(tickets).to_have_count(2)
        expect(tickets.first).to_contain_text("Rosalind Franklin")  # the requester
        expect(tickets.first.locator(".pill")).to_have_text("Status: New")  # the status label

        p.keyboard.press("ArrowDown")
        first_id = tickets.nth(0).get_attribute("id")
        second_id = tickets.nth(1).get_attribute("id")
        expect(box).to_have_attribute("aria-activedescendant", first_id)
        expect(tickets.nth(0)).to_have_attribute("aria-selected", "true")
        expect(box).to_be_focused()
        p.keyboard.press("ArrowDown")
        expect(box).to_have_attribute("aria-activedescendant", second_id)
        expect(tickets.nth(0)).to_have_attribute("aria-selected", "false")
        p.keyboard.press("ArrowUp")
        p.keyboard.press("ArrowDown")
        expect(box).to_have_attribute("aria-activedescendant", second_id)
        assert_accessible(p, "the search combobox with its suggestions", include=".global-search")
        screenshot(p, "search-suggestions-active-1280")

        p.keyboard.press("Escape")
        expect(box).to_have_attribute("aria-expanded", "false")
        expect(p.locator("#search-suggest")).to_be_hidden()
        assert box.get_attribute("aria-activedescendant") is None

        with p.expect_response(lambda r: "/search/suggest/" in r.url):
            box.type(" ")
        expect(tickets.first).to_be_visible()
        p.keyboard.press("ArrowDown")
        p.keyboard.press("ArrowDown")
        target = tickets.nth(1).get_attribute("href")
        with p.expect_navigation():
            p.keyboard.press("Enter")
        assert p.url.endswith(target)
        assert word in p.inner_text("h1")


def test_a_ticket_number_in_the_search_box_opens_the_ticket(live_app: LiveApp) -> None:
    ticket = new_ticket(live_app, "Jump straight here")
    with chromium_page(width=820, height=1000) as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        p.fill("#global-search-input", f"#{ticket}")
        with p.expect_navigation(url=f"**/tickets/{ticket}/"):
            p.press("#global-search-input", "Enter")
        assert "Jump straight here" in p.inner_text("h1")
        p.goto(f"{live_app.url}/search/?q=%23999999")
        expect(p.get_by_role("status").filter(has_text="No ticket #999999")).to_be_visible()
        screenshot(p, "search-no-ticket-number-820")


def test_results_show_the_total_and_the_next_page(live_app: LiveApp) -> None:
    word = f"Axolotl{uuid.uuid4().hex[:6]}"
    live_app.shell(
        "from frontdesk.core.actor import SYSTEM\n"
        "from frontdesk.customers.models import Contact\n"
        "from frontdesk.tickets.services import ticket_create\n"
        "c = Contact.objects.create(name='Mary Anning')\n"
        "for i in range(53):\n"
        f"    ticket_create(actor=SYSTEM, requester=c, subject=f'{word} note {{i}}', body='x')\n"
    )
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        p.goto(f"{live_app.url}/search/?q={word}")
        expect(p.get_by_role("heading", name="53 tickets")).to_be_visible()
        assert p.locator("ol.results li.result").count() == 50
        with p.expect_navigation():
            p.get_by_role("link", name="Next 50 tickets").click()
        expect(p.get_by_text("Showing 51–53 of 53")).to_be_visible()
        assert p.locator("ol.results li.result").count() == 3
        screenshot(p, "search-results-page-2-1280")
