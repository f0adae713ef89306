"""Browser journeys of the properties panel: two agents on one ticket (no lost update), the followers
picker by keyboard, Assign to me by its shortcut. A real server process, Debian's Chromium."""

from __future__ import annotations

import json
from typing import Any

from frontdesk.testing.browser import chromium_page
from frontdesk.testing.browser import screenshot_top as screenshot
from frontdesk.testing.live import LiveApp, sign_in
from frontdesk.testing.live import demo_ticket as new_ticket

AGENT = "agent@demo.frontdesk.local"  # Alex Agent
ADMIN = "admin@demo.frontdesk.local"  # Ada Admin


def state(app: LiveApp, ticket_id: int) -> dict[str, Any]:
    out = app.shell(
        "import json\n"
        "from frontdesk.tickets.models import Ticket\n"
        f"t = Ticket.objects.get(pk={ticket_id})\n"
        "print(json.dumps({'priority': t.priority, 'tags': sorted(t.tags.values_list('name', flat=True)),"
        " 'followers': sorted(t.followers.values_list('email', flat=True)),"
        " 'assignee': t.assignee.email if t.assignee else None}))"
    )
    return dict(json.loads(out.strip().splitlines()[-1]))


def saving(page: Any) -> Any:
    """Wait for the answer to the field's save started inside the with block."""
    return page.expect_response(lambda r: r.url.endswith("/update/") and r.request.method == "POST")


def saved(page: Any, field: str) -> None:
    """Wait for the field's polite status to say it was saved."""
    from playwright.sync_api import expect

    expect(page.locator(f'[data-prop="{field}"] [role=status]')).to_have_text("Saved.")


def test_a_stale_page_saves_only_what_its_agent_changed_and_refuses_a_change_made_since(live_app: LiveApp) -> None:
    from playwright.sync_api import expect

    ticket_id = new_ticket(live_app, "Two agents, one ticket", tags=["billing"])
    url = f"{live_app.url}/tickets/{ticket_id}/"
    with chromium_page() as first:
        ada: Any = first
        alex: Any = ada.context.browser.new_page(viewport={"width": 1280, "height": 800})  # a context of its own
        sign_in(alex, live_app, AGENT)
        alex.goto(url)  # Alex opens the ticket and leaves the page open
        sign_in(ada, live_app, ADMIN)
        ada.goto(url)

        with saving(ada):
            ada.get_by_label("Priority").select_option(label="Urgent")
        saved(ada, "priority")
        assert state(live_app, ticket_id)["priority"] == 4

        # Alex, on his stale page, edits only the tags
        alex.get_by_label("Tags").fill("billing, refund")
        with saving(alex):
            alex.get_by_label("Tags").press("Enter")
        saved(alex, "tags")
        after = state(live_app, ticket_id)
        assert after["priority"] == 4, "Ada's Urgent is not reverted"
        assert after["tags"] == ["billing", "refund"]
        expect(alex.locator("#timeline")).to_contain_text("Ada Admin set priority to Urgent")

        # then he changes the priority he saw as Normal: refused, with both values
        alex.get_by_label("Priority").select_option(label="Low")
        conflict = alex.locator('[data-prop="priority"] [role=alert]')
        expect(conflict).to_contain_text(
            "Ada Admin changed Priority to Urgent since you opened this ticket; your change (Low) was not saved.")
        expect(alex.get_by_label("Priority")).to_have_attribute("aria-invalid", "true")
        assert state(live_app, ticket_id)["priority"] == 4
        screenshot(alex, "ticket-props-conflict-1280")
        alex.set_viewport_size({"width": 820, "height": 1100})
        screenshot(alex, "ticket-props-conflict-820")

        with saving(alex):
            conflict.get_by_role("button", name="Keep theirs (Urgent)").click()
        saved(alex, "priority")
        expect(alex.get_by_label("Priority")).to_have_value("4")
        assert state(live_app, ticket_id)["priority"] == 4

        # Ada lowers it again; Alex, now stale once more, insists on Low and applies his value
        with saving(ada):
            ada.get_by_label("Priority").select_option(label="High")
        saved(ada, "priority")
        alex.get_by_label("Priority").select_option(label="Low")
        expect(conflict).to_contain_text("Ada Admin changed Priority to High")
        with saving(alex):
            conflict.get_by_role("button", name="Apply mine (Low)").click()
        saved(alex, "priority")
        assert state(live_app, ticket_id)["priority"] == 1


def test_followers_are_picked_and_removed_with_the_keyboard(live_app: LiveApp) -> None:
    from playwright.sync_api import expect

    ticket_id = new_ticket(live_app, "Followers by keyboard")
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        p.goto(f"{live_app.url}/tickets/{ticket_id}/")
        expect(p.locator("[data-token-fallback]")).to_be_hidden()  # the checkbox list is the no-JavaScript fallback
        box = p.get_by_role("combobox", name="Followers")
        box.focus()
        p.keyboard.type("ada")
        listbox = p.get_by_role("listbox", name="Followers")
        expect(listbox.get_by_role("option", name="Ada Admin")).to_be_visible()
        expect(box).to_have_attribute("aria-expanded", "true")
        screenshot(p, "ticket-props-picker-open-1280")
        with saving(p):
            p.keyboard.press("Enter")
        saved(p, "followers")
        chips = p.locator('[data-prop="followers"] .chip')
        expect(chips).to_have_text(["Ada Admin×"])
        expect(p.get_by_role("combobox", name="Followers")).to_be_focused()

        p.keyboard.type("s")
        expect(listbox.get_by_role("option")).not_to_have_count(0)
        first_option = listbox.get_by_role("option").first.inner_text()
        p.keyboard.press("ArrowDown")
        p.keyboard.press("ArrowUp")
        with saving(p):
            p.keyboard.press("Enter")
        saved(p, "followers")
        expect(chips).to_have_count(2)
        assert len(state(live_app, ticket_id)["followers"]) == 2
        screenshot(p, "ticket-props-followers-1280")

        # Shift+Tab reaches the last chip's remove button; Enter removes that follower
        p.keyboard.press("Shift+Tab")
        expect(p.locator(":focus")).to_have_attribute("aria-label", f"Remove {first_option}")
        with saving(p):
            p.keyboard.press("Enter")
        saved(p, "followers")
        expect(chips).to_have_count(1)
        # Backspace in the empty combobox removes the last one left
        with saving(p):
            p.get_by_role("combobox", name="Followers").press("Backspace")
        saved(p, "followers")
        expect(chips).to_have_count(0)
    assert state(live_app, ticket_id)["followers"] == []


def test_assign_to_me_with_the_a_shortcut(live_app: LiveApp) -> None:
    from playwright.sync_api import expect

    ticket_id = new_ticket(live_app, "Assign me by keyboard")
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        p.goto(f"{live_app.url}/tickets/{ticket_id}/")
        expect(p.get_by_role("button", name="Assign to me")).to_be_visible()
        p.locator("h1").click()  # the focus on the page, not in a field
        with saving(p):
            p.keyboard.press("a")
        saved(p, "assignee")
        expect(p.get_by_label("Assignee", exact=True)).to_have_value(
            p.get_by_label("Assignee", exact=True).locator("option", has_text="Alex Agent").get_attribute("value"))
        expect(p.get_by_role("button", name="Assign to me")).to_have_count(0)
        expect(p.locator("#ticket-header")).to_contain_text("Alex Agent")
        screenshot(p, "ticket-props-assigned-1280")
    assert state(live_app, ticket_id)["assignee"] == AGENT


def test_without_javascript_the_form_saves_only_the_fields_changed(live_app: LiveApp) -> None:
    ticket_id = new_ticket(live_app, "No JavaScript here", tags=["billing"])
    with chromium_page() as first:
        ada: Any = first
        p: Any = ada.context.browser.new_page(viewport={"width": 1280, "height": 800}, java_script_enabled=False)
        sign_in(p, live_app, AGENT)
        p.goto(f"{live_app.url}/tickets/{ticket_id}/")  # Alex's page, without JavaScript
        sign_in(ada, live_app, ADMIN)
        ada.goto(f"{live_app.url}/tickets/{ticket_id}/")
        with saving(ada):
            ada.get_by_label("Priority").select_option(label="Urgent")
        saved(ada, "priority")

        p.get_by_label("Ada Admin").check()  # followers: plain checkboxes without JavaScript
        p.get_by_label("Tags").fill("billing, refund")
        with p.expect_navigation():
            p.get_by_role("button", name="Save changes").click()
        screenshot(p, "ticket-props-nojs-1280")
    after = state(live_app, ticket_id)
    assert after["priority"] == 4, "the stale Normal in Alex's form did not revert Ada's Urgent"
    assert after["tags"] == ["billing", "refund"] and after["followers"] == [ADMIN]
