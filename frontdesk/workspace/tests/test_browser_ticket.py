"""Browser journeys on the ticket page, on a real server process in Debian's Chromium."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from frontdesk.testing.browser import chromium_page
from frontdesk.testing.browser import screenshot_top as screenshot
from frontdesk.testing.live import LiveApp, sign_in
from frontdesk.testing.live import demo_ticket as new_ticket

AGENT = "agent@demo.frontdesk.local"
ADMIN = "admin@demo.frontdesk.local"
LIGHT = "light@demo.frontdesk.local"


def ticket_state(app: LiveApp, ticket_id: int) -> dict[str, Any]:
    out = app.shell(
        "import json\n"
        "from frontdesk.tickets.models import Ticket\n"
        f"t = Ticket.objects.get(pk={ticket_id})\n"
        "print(json.dumps({'status': t.status, 'merged_into': t.merged_into_id, 'custom_fields': t.custom_fields,"
        " 'messages': list(t.messages.values_list('body', flat=True))}))"
    )
    return dict(json.loads(out.strip().splitlines()[-1]))


def test_an_agent_finds_a_ticket_replies_with_an_attachment_and_sets_it_pending(live_app: LiveApp) -> None:
    word = f"Zanzibar{uuid.uuid4().hex[:6]}"
    ticket_id = new_ticket(live_app, f"{word} invoice is wrong", "My invoice shows the wrong amount.")
    reply = "Thanks, I corrected the invoice; the new one is attached."
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        with p.expect_navigation():
            p.locator("nav.sidebar .nav-list a").first.click()
        assert "/views/" in p.url or "/tickets/" in p.url

        p.fill("#global-search-input", word)
        suggestion = p.locator("#search-suggest a", has_text=word).first
        suggestion.wait_for()
        suggestion.click()
        p.wait_for_url(f"**/tickets/{ticket_id}/**")
        assert word in p.inner_text("h1")

        p.click("[data-action=compose][data-kind=public]")
        p.fill("#composer-body", reply)
        p.set_input_files("#composer-files", files=[
            {"name": "invoice-corrected.txt", "mimeType": "text/plain", "buffer": b"Invoice 42: 10.00 EUR"}])
        p.get_by_label("Submit as").select_option("pending")
        with p.expect_navigation():
            p.locator("#composer button[type=submit]").click()

        message = p.locator(".message", has_text=reply)
        assert message.count() == 1 and "note" not in (message.get_attribute("class") or "")
        assert message.locator("a", has_text="invoice-corrected.txt").count() == 1
        assert p.locator(".audit-event", has_text="set status to Pending").count() == 1
        assert "Pending" in p.inner_text("#ticket-header .ticket-meta")
        screenshot(p, "ticket-agent-reply-1280")
    assert ticket_state(live_app, ticket_id)["status"] == "pending"


def test_an_agent_merges_two_tickets_and_finds_the_conversation_on_the_target(live_app: LiveApp) -> None:
    source = new_ticket(live_app, "Second email about my parcel", "Where is my parcel? (second email)")
    target = new_ticket(live_app, "Parcel has not arrived", "My parcel has not arrived yet.")
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        p.goto(f"{live_app.url}/tickets/{source}/")
        p.get_by_role("button", name="More actions").click()  # the actions menu of the toolbar
        p.get_by_role("menuitem", name="Merge into another ticket…").click()
        p.get_by_label("Merge this ticket into ticket number").fill(str(target))
        with p.expect_navigation():
            p.get_by_role("button", name="Merge…").click()
        assert "Parcel has not arrived" in p.inner_text("main"), "the confirmation names the target"
        screenshot(p, "ticket-merge-confirm")
        p.get_by_role("button", name=f"Merge into #{target}").click()
        p.wait_for_url(f"**/tickets/{target}/")
        timeline = p.inner_text("#timeline")
        assert "Where is my parcel? (second email)" in timeline and "My parcel has not arrived yet." in timeline
        assert f"merged #{source} into this ticket" in timeline
    assert ticket_state(live_app, source)["merged_into"] == target


def test_a_light_agent_sees_no_public_reply_option(live_app: LiveApp) -> None:
    ticket_id = new_ticket(live_app, "Light agent check", "Can someone look at this?")
    for width, height, name in ((1280, 800, "ticket-light-agent-1280"), (900, 1100, "ticket-light-agent-tablet")):
        with chromium_page(width=width, height=height) as page:
            p: Any = page
            sign_in(p, live_app, LIGHT)
            p.goto(f"{live_app.url}/tickets/{ticket_id}/")
            assert p.locator("input[name=kind][value=public]").count() == 0
            assert p.locator("[data-kind=public]").count() == 0
            assert p.get_attribute("form[data-composer]", "data-mode") == "note"
            p.keyboard.press("i")
            p.keyboard.type("Looked at it, passing to billing @agent")
            with p.expect_navigation():
                p.keyboard.press("Control+Enter")
            note = p.locator(".message.note", has_text="passing to billing").first
            assert "Internal note" in note.inner_text()
            screenshot(p, name)


def test_an_admin_creates_a_custom_field_and_an_agent_fills_it(live_app: LiveApp) -> None:
    label = f"Serial number {uuid.uuid4().hex[:4]}"
    ticket_id = new_ticket(live_app, "Broken device", "The device does not start.")
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, ADMIN)
        p.goto(f"{live_app.url}/settings/fields/")
        p.get_by_text("New custom field").first.click()
        p.get_by_label(re.compile(r"^Label")).fill(label)
        p.get_by_label("Type", exact=True).select_option("text")
        with p.expect_navigation():
            p.get_by_role("button", name="New custom field").click()
        assert label in p.inner_text("table")
    with chromium_page() as page:
        p = page
        sign_in(p, live_app, AGENT)
        p.goto(f"{live_app.url}/tickets/{ticket_id}/")
        p.get_by_label(label).fill("SN-12345")
        p.get_by_label(label).press("Enter")
        p.locator("#ticket-props .saved").wait_for()
        assert p.locator(".audit-event", has_text=f"set {label} to SN-12345").count() == 1
        p.reload()
        assert p.get_by_label(label).input_value() == "SN-12345"
    assert ticket_state(live_app, ticket_id)["custom_fields"] == {"serial_number_" + label[-4:]: "SN-12345"}


def test_screenshots_of_a_ticket_with_a_note_and_an_attachment(live_app: LiveApp) -> None:
    ticket_id = new_ticket(live_app, "Order arrived damaged", "The box was crushed and the screen is cracked.")
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        p.goto(f"{live_app.url}/tickets/{ticket_id}/")
        p.click("[data-action=compose][data-kind=note]")
        p.fill("#composer-body", "Asked the warehouse for photos of the packing line.")
        p.set_input_files("#composer-files", files=[
            {"name": "packing-photo.txt", "mimeType": "text/plain", "buffer": b"photo placeholder"}])
        with p.expect_navigation():
            p.locator("#composer button[type=submit]").click()
        assert p.locator(".message.note a", has_text="packing-photo.txt").count() == 1
        screenshot(p, "ticket-agent-note-1280")
        p.set_viewport_size({"width": 900, "height": 1100})
        screenshot(p, "ticket-agent-note-tablet")
