"""Every main page and state of the workspace, as an agent, an admin and a visitor, in Chromium at
1280x800 and at 820 px: axe-core (from npm) finds no violation of WCAG 2.1 A/AA or its best
practices; the focus ring stands out (>= 3:1) from what is behind it; the shortcuts dialog keeps
focus inside it. Each page's screenshot is kept under test-artifacts/screenshots/a11y-*."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from frontdesk.testing.axe import assert_accessible
from frontdesk.testing.browser import chromium_page, screenshot
from frontdesk.testing.live import LiveApp, sign_in

AGENT = "agent@demo.frontdesk.local"
ADMIN = "admin@demo.frontdesk.local"

IDS = """
import json
from frontdesk.accounts.models import User
from frontdesk.core.actor import SYSTEM
from frontdesk.customers.models import Contact, Organisation
from frontdesk.tickets.models import View
from frontdesk.tickets.services import ticket_create
c = Contact.objects.get(primary_email='customer@demo.frontdesk.local')
t = ticket_create(actor=SYSTEM, requester=c, subject="Accessibility check %(tag)s", body="The invoice is wrong.")
view = View.objects.create(name="Accessibility %(tag)s", owner=User.objects.get(email=%(agent)r),
                           filters={"status_category": ["new", "open"]}, position=1000)
org = c.organisation or Organisation.objects.create(name="Accessibility %(tag)s")
print(json.dumps({"ticket": t.pk, "contact": c.pk, "view": view.pk, "organisation": org.pk}))
"""

# the relative luminance and contrast ratio of WCAG 2.1, computed in the page for the focused element
FOCUS_CONTRAST = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lin = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => [r, g, b].map(lin).reduce((acc, v, i) => acc + v * [0.2126, 0.7152, 0.0722][i], 0);
  const el = document.activeElement;
  let bg = null;
  for (let n = el.parentElement; n && !bg; n = n.parentElement) {
    const c = rgb(getComputedStyle(n).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) bg = c.slice(0, 3);
  }
  const style = getComputedStyle(el);
  const ring = rgb(style.outlineColor).slice(0, 3);
  const [a, b] = [lum(ring), lum(bg || [255, 255, 255])].sort((x, y) => y - x);
  return {ratio: (a + 0.05) / (b + 0.05), width: parseFloat(style.outlineWidth), style: style.outlineStyle,
          element: el.tagName + (el.id ? "#" + el.id : "") + " "
            + (el.textContent || el.getAttribute("href") || "").trim().slice(0, 30)};
}"""


def ids(app: LiveApp) -> dict[str, int]:
    """A ticket, a view and an organisation of the test's own (the demo's may have been changed)."""
    code = IDS % {"tag": uuid.uuid4().hex[:8], "agent": AGENT}
    return dict(json.loads(app.shell(code).strip().splitlines()[-1]))


def check(page: Any, name: str, where: str) -> None:
    screenshot(page, f"a11y-{name}")
    assert_accessible(page, where)


@pytest.mark.parametrize("width,height", [(1280, 800), (820, 1180)])
def test_every_agent_page_and_state_is_accessible(live_app: LiveApp, width: int, height: int) -> None:
    known = ids(live_app)
    size = f"{width}"
    with chromium_page(width=width, height=height) as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        pages = {
            "views": "/views/",
            "tickets": "/tickets/",
            "view": f"/views/{known['view']}/",
            "ticket": f"/tickets/{known['ticket']}/",
            "new-ticket": "/tickets/new/",
            "customers": "/customers/",
            "customer": f"/customers/{known['contact']}/",
            "organisations": "/organisations/",
            "organisation": f"/organisations/{known['organisation']}/",
            "search": "/search/?q=invoice",
            "profile": "/profile/",
        }
        for name, path in pages.items():
            p.goto(live_app.url + path)
            if name == "ticket":  # the requester's history arrives after the page
                p.locator("#customer-details-title").wait_for()
            check(p, f"{name}-{size}", path)

        # states: the open filter panel and one of its menus
        p.goto(live_app.url + "/tickets/")
        p.click(".filters-summary")
        p.locator("details.filter-menu summary").first.click()
        p.locator(".filter-options").first.wait_for(state="visible")
        check(p, f"tickets-filter-menu-{size}", "the ticket list with a filter menu open")

        # the ticket page: the composer in note mode, the More actions menu, the shortcuts dialog
        p.goto(f"{live_app.url}/tickets/{known['ticket']}/")
        p.keyboard.press("i")
        p.locator("#composer[data-mode=note]").wait_for()
        check(p, f"ticket-note-mode-{size}", "the ticket page writing a note")
        p.locator("#composer-body, [contenteditable=true]").first.press("Escape")
        p.locator("body").click(position={"x": 5, "y": 300})
        menu = p.get_by_role("button", name="More actions")
        if menu.count():
            menu.click()
            p.get_by_role("menu").wait_for()
            check(p, f"ticket-actions-menu-{size}", "the ticket page with More actions open")
            p.keyboard.press("Escape")
        p.locator("body").click(position={"x": 5, "y": 300})
        p.keyboard.press("?")
        dialog = p.get_by_role("dialog", name="Keyboard shortcuts")
        dialog.wait_for()
        check(p, f"shortcuts-{size}", "the shortcuts dialog")
        for _ in range(4):  # Tab and Shift+Tab never leave the open dialog
            p.keyboard.press("Tab")
            assert p.evaluate("document.getElementById('shortcuts-overlay').contains(document.activeElement)")
            p.keyboard.press("Shift+Tab")
            assert p.evaluate("document.getElementById('shortcuts-overlay').contains(document.activeElement)")
        p.keyboard.press("Escape")
        assert dialog.is_hidden()

        # search suggestions open
        p.goto(live_app.url + "/tickets/")
        p.keyboard.press("/")
        p.keyboard.type("inv")
        p.locator("#search-suggest [role=option]").first.wait_for()
        check(p, f"search-suggest-{size}", "the search box with suggestions open")

        # a page that does not exist, inside the frame
        p.goto(live_app.url + "/tickets/999999999/")
        check(p, f"not-found-{size}", "the not-found page")


def test_the_admin_pages_and_the_sign_in_page_are_accessible(live_app: LiveApp) -> None:
    with chromium_page() as page:
        p: Any = page
        p.goto(live_app.url + "/login/")
        check(p, "login", "the sign-in page")
        sign_in(p, live_app, ADMIN)
        for name, path in {
            "settings": "/settings/", "users": "/settings/users/", "teams": "/settings/teams/",
            "brands": "/settings/brands/", "statuses": "/settings/statuses/", "fields": "/settings/fields/",
            "tags": "/settings/tags/", "mailboxes": "/settings/mailboxes/", "quarantine": "/settings/quarantine/",
            "tokens": "/settings/tokens/",
        }.items():
            p.goto(live_app.url + path)
            check(p, f"settings-{name}", path)


def test_the_focus_ring_stands_out_from_what_is_behind_it(live_app: LiveApp) -> None:
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        p.goto(live_app.url + "/tickets/")
        seen = []
        for _ in range(14):  # the skip link, the top bar, the sidebar, the list: light and dark grounds
            p.keyboard.press("Tab")
            ring = p.evaluate(FOCUS_CONTRAST)
            seen.append(ring)
            assert ring["style"] != "none" and ring["width"] >= 2, ring
            assert ring["ratio"] >= 3, ring
        assert len({r["element"] for r in seen}) > 5
