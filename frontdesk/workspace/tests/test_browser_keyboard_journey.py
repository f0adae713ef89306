"""Browser: an agent works a queue by keyboard alone: j to the first ticket, Enter to open it,
r to reply, Ctrl+Enter to send, n to the next ticket of the view, and the reply is on the ticket."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from playwright.sync_api import expect

from frontdesk.testing.browser import chromium_page, screenshot
from frontdesk.testing.live import LiveApp, sign_in

AGENT = "agent@demo.frontdesk.local"

SETUP = """
import json
from frontdesk.accounts.models import User
from frontdesk.core.actor import SYSTEM
from frontdesk.customers.models import Contact
from frontdesk.tickets.models import View
from frontdesk.tickets.services import ticket_create
c = Contact.objects.get(primary_email='customer@demo.frontdesk.local')
agent = User.objects.get(email=%(agent)r)
ids = [ticket_create(actor=SYSTEM, requester=c, subject=f"Keyboard case {i} %(word)s", body="Please help.",
                     tags=[%(tag)r]).pk for i in range(3)]
# last in the agent's list (a high position), so the home queue other tests sign in to stays the same
view = View.objects.create(name="Keyboard queue %(word)s", owner=agent, sort="-id", position=1000,
                           filters={"status_category": ["new", "open"], "assignee_id": "none", "tag": %(tag)r})
print(json.dumps({"view": view.pk, "ids": ids}))
"""


def test_an_agent_replies_and_moves_on_by_keyboard_only(live_app: LiveApp) -> None:
    word = uuid.uuid4().hex[:8]
    # a view of its own holding only this test's tickets, newest first: what j, Enter and n open
    # does not depend on the demo's shared views or on tickets other tests made or changed
    setup = SETUP % {"agent": AGENT, "word": word, "tag": f"kb-{word}"}
    facts = json.loads(live_app.shell(setup).strip().splitlines()[-1])
    reply = f"Fixed it for you ({word})."
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        p.goto(f"{live_app.url}/views/{facts['view']}/")
        expect(p.locator("[data-row]")).to_have_count(3)  # the view holds this test's tickets only
        p.locator("body").click(position={"x": 600, "y": 5})  # focus on the page, not in a field
        p.keyboard.press("j")
        first = p.locator("[data-row].is-current a[data-row-link]")
        assert first.inner_text().startswith("Keyboard case 2")
        with p.expect_navigation():
            p.keyboard.press("Enter")
        opened = int(re.search(r"/tickets/(\d+)/", p.url).group(1))  # type: ignore[union-attr]
        assert opened == facts["ids"][2] and "view=" in p.url
        p.keyboard.press("r")
        expect(p.locator("#composer-body")).to_be_focused()
        p.keyboard.type(reply)
        with p.expect_navigation():
            p.keyboard.press("Control+Enter")
        p.locator(".message", has_text=reply).wait_for()
        screenshot(p, "keyboard-journey-replied")
        # "n" follows the view's own order (newest first), whatever the list's URL said
        expect(p.locator("a[data-key=n]")).to_have_attribute(
            "href", f"/tickets/{facts['ids'][1]}/?view={facts['view']}")
        p.locator("body").click(position={"x": 600, "y": 5})
        with p.expect_navigation():
            p.keyboard.press("n")
        nxt = int(re.search(r"/tickets/(\d+)/", p.url).group(1))  # type: ignore[union-attr]
        assert nxt == facts["ids"][1]
    bodies = live_app.shell(
        "from frontdesk.tickets.models import Message\n"
        f"print(list(Message.objects.filter(ticket_id={opened}).values_list('body', flat=True)))"
    )
    assert reply in bodies
