"""In Chromium: the ticket page's "More actions" menu by keyboard, and a merge into `abc` or `99999`
that shows its error in the open dialog, under the field, with what was typed kept and focus on it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from frontdesk.testing.axe import assert_accessible
from frontdesk.testing.browser import chromium_page
from frontdesk.testing.browser import screenshot_top as screenshot
from frontdesk.testing.live import LiveApp, sign_in
from frontdesk.testing.live import demo_ticket as new_ticket

pytestmark = pytest.mark.browser
AGENT = "agent@demo.frontdesk.local"


def merged_into(app: LiveApp, ticket_id: int) -> str:
    out = app.shell("from frontdesk.tickets.models import Ticket\n"
                    f"print(Ticket.objects.get(pk={ticket_id}).merged_into_id)")
    return out.strip().splitlines()[-1]


def open_merge_dialog(p: Any) -> Any:
    """More actions, by keyboard, then Merge: returns the merge field, focused."""
    button = p.get_by_role("button", name="More actions")
    button.focus()
    p.keyboard.press("Enter")
    item = p.get_by_role("menuitem", name="Merge into another ticket…")
    expect(item).to_be_focused()
    p.keyboard.press("Enter")
    field = p.get_by_label("Merge this ticket into ticket number")
    expect(field).to_be_focused()
    return field


def test_a_bad_merge_target_is_shown_by_the_field_with_the_value_kept(live_app: LiveApp) -> None:
    source = new_ticket(live_app, "Merge me somewhere")
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        p.goto(f"{live_app.url}/tickets/{source}/")
        for typed, status, says in (
            ("abc", 400, "“abc” is not a ticket number. Type digits only, like 519."),
            ("99999", 404, "There is no ticket #99999 that you can see."),
            (str(source), 400, "A ticket cannot be merged into itself"),
        ):
            field = open_merge_dialog(p)
            field.fill(typed)
            with p.expect_navigation() as answer:  # the page again, not a redirect: what was typed is kept
                p.keyboard.press("Enter")
            assert answer.value.status == status and "/merge/" in answer.value.url
            dialog = p.locator("#merge-dialog")
            expect(dialog).to_be_visible()
            assert p.evaluate("document.getElementById('merge-dialog').matches(':modal')"), "a modal dialog"
            field = p.get_by_label("Merge this ticket into ticket number")
            expect(field).to_have_value(typed)
            expect(field).to_be_focused()
            expect(field).to_have_attribute("aria-invalid", "true")
            error = dialog.get_by_role("alert")
            expect(error).to_contain_text(says)
            # announced with the field: screen readers read the description of the focused field
            expect(field).to_have_attribute("aria-describedby", "merge-target-error")
            assert p.evaluate("document.activeElement.getAttribute('aria-describedby')") == error.get_attribute("id")
            box, below = field.bounding_box(), error.bounding_box()
            assert box and below and 0 <= below["y"] - (box["y"] + box["height"]) < 40, "right under the field"
            if typed == "abc":
                assert_accessible(p, "the merge dialog showing an error", include="#merge-dialog")
                screenshot(p, "ticket-merge-error-1280")
                p.set_viewport_size({"width": 820, "height": 1000})
                screenshot(p, "ticket-merge-error-820")
                p.set_viewport_size({"width": 1280, "height": 800})
            p.keyboard.press("Escape")
            expect(dialog).to_be_hidden()
            expect(p.get_by_role("button", name="More actions")).to_be_focused()
    assert merged_into(live_app, source) == "None"


def test_the_actions_menu_works_by_keyboard_and_dialogs_keep_focus(live_app: LiveApp) -> None:
    ticket = new_ticket(live_app, "Keyboard only agent")
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        p.goto(f"{live_app.url}/tickets/{ticket}/")
        button = p.get_by_role("button", name="More actions")
        menu = p.get_by_role("menu")
        expect(button).to_have_attribute("aria-expanded", "false")
        expect(menu).to_be_hidden()

        button.focus()
        p.keyboard.press("ArrowDown")
        expect(menu).to_be_visible()
        expect(button).to_have_attribute("aria-expanded", "true")
        expect(p.get_by_role("menuitem", name="Merge into another ticket…")).to_be_focused()
        p.keyboard.press("ArrowDown")
        expect(p.get_by_role("menuitem", name="Split off selected messages…")).to_be_focused()
        p.keyboard.press("ArrowUp")
        p.keyboard.press("ArrowUp")
        expect(p.get_by_role("menuitem", name="Link to a ticket…")).to_be_focused()  # wraps to the last
        assert_accessible(p, "the open actions menu", include="[data-actions-menu]")
        screenshot(p, "ticket-actions-menu-1280")
        p.keyboard.press("Escape")
        expect(menu).to_be_hidden()
        expect(button).to_be_focused()
        expect(button).to_have_attribute("aria-expanded", "false")

        p.keyboard.press(" ")
        expect(menu).to_be_visible()
        p.keyboard.press("End")
        link_item = p.get_by_role("menuitem", name="Link to a ticket…")
        expect(link_item).to_be_focused()
        p.keyboard.press("Enter")
        dialog = p.get_by_role("dialog", name="Link to a ticket")
        expect(dialog).to_be_visible()
        expect(menu).to_be_hidden()
        target = p.get_by_label("Link to ticket number")
        expect(target).to_be_focused()
        # Tab and Shift+Tab stay inside the dialog
        p.keyboard.press("Shift+Tab")
        expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
        p.keyboard.press("Tab")
        expect(target).to_be_focused()
        for _ in range(4):
            p.keyboard.press("Tab")
            assert p.evaluate("!!document.activeElement.closest('#link-dialog')"), "focus left the dialog"
        p.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(button).to_be_focused()

        # split: the dialog says how many messages are ticked; none ticked is refused by the button
        p.locator("input.split-pick").first.check()
        button.click()
        p.get_by_role("menuitem", name="Split off selected messages…").click()
        split = p.get_by_role("dialog", name="Split off messages")
        expect(split.locator("[data-split-count]")).to_have_text("1 message is ticked.")
        p.keyboard.press("Escape")
        p.locator("input.split-pick").first.uncheck()
        button.click()
        p.get_by_role("menuitem", name="Split off selected messages…").click()
        with p.expect_navigation() as answer:
            split.get_by_role("button", name="Split selected messages").click()
        assert answer.value.status == 400 and "/split/" in answer.value.url
        split = p.get_by_role("dialog", name="Split off messages")
        expect(split).to_be_visible()
        expect(split.get_by_role("alert")).to_contain_text("Tick the messages to split off first")
        submit = split.get_by_role("button", name="Split selected messages")
        expect(submit).to_have_attribute("aria-describedby", "split-error")
        screenshot(p, "ticket-split-error-1280")
