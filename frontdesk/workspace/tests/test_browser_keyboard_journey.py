"""Browser: an agent works a queue by keyboard alone: j to the first ticket, Enter to open it,
r to reply, Ctrl+Enter to send, n to the next ticket of the view, and the reply is on the ticket."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from frontdesk.testing.browser import chromium_page, screenshot
from frontdesk.testing.live import LiveApp, sign_in

AGENT = "agent@demo.frontdesk.local"

SETUP = """
import json
from frontdesk.core.actor import SYSTEM
from frontdesk.customers.models import Contact
from frontdesk.tickets.models import View
from frontdesk.tickets.services import ticket_create
c = Contact.objects.get(primary_email='customer@demo.frontdesk.local')
ids = [ticket_create(actor=SYSTEM, requester=c, subject=f"Keyboard case {i} %s", body="Please help.").pk
       for i in range(3)]
print(json.dumps({"view": View.objects.get(owner=None, name="Unassigned open").pk, "ids": ids}))
"""


def test_an_agent_replies_and_moves_on_by_keyboard_only(live_app: LiveApp) -> None:
    word = uuid.uuid4().hex[:8]
    facts = json.loads(live_app.shell(SETUP % word).strip().splitlines()[-1])
    reply = f"Fixed it for you ({word})."
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        p.goto(f"{live_app.url}/views/{facts['view']}/?sort=-id&f=1&status_category=new&status_category=open"
               "&assignee_id=none")
        p.locator("body").click(position={"x": 600, "y": 5})  # focus on the page, not in a field
        p.keyboard.press("j")
        first = p.locator("[data-row].is-current a[data-row-link]")
        assert first.inner_text().startswith("Keyboard case 2")
        with p.expect_navigation():
            p.keyboard.press("Enter")
        opened = int(re.search(r"/tickets/(\d+)/", p.url).group(1))  # type: ignore[union-attr]
        assert opened == facts["ids"][2] and "view=" in p.url
        p.keyboard.press("r")
        p.keyboard.type(reply)
        with p.expect_navigation():
            p.keyboard.press("Control+Enter")
        p.locator(".message", has_text=reply).wait_for()
        screenshot(p, "keyboard-journey-replied")
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
