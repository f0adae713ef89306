"""Browser journeys through the ticket page's composer, on a real server in Debian's Chromium:
the mode kept after a note, a draft that follows the agent to another browser, To/CC/BCC of an
emailed reply reaching a real SMTP sink, the formatting toolbar, files by drag and drop, and
@mentions chosen by keyboard with unknown handles flagged."""

from __future__ import annotations

import json
import uuid
from typing import Any

from playwright.sync_api import expect

from frontdesk.testing.browser import chromium_page
from frontdesk.testing.browser import screenshot_top as screenshot
from frontdesk.testing.live import LiveApp, sign_in
from frontdesk.testing.live import demo_ticket as new_ticket
from frontdesk.testing.smtp_sink import SmtpSink

AGENT = "agent@demo.frontdesk.local"
SUPERVISOR = "supervisor@demo.frontdesk.local"


def messages_of(app: LiveApp, ticket_id: int) -> list[dict[str, Any]]:
    out = app.shell(
        "import json\n"
        "from frontdesk.tickets.models import Message\n"
        f"ms = Message.objects.filter(ticket_id={ticket_id}, author_user__isnull=False).order_by('pk')\n"
        "print(json.dumps([{'kind': m.kind, 'body': m.body, 'html': m.body_html,"
        " 'mentions': [u.email for u in m.mentions.all()]} for m in ms]))"
    )
    return list(json.loads(out.strip().splitlines()[-1]))


def open_ticket(p: Any, app: LiveApp, ticket_id: int) -> Any:
    p.goto(f"{app.url}/tickets/{ticket_id}/")
    return p.locator("#composer")


def test_the_composer_stays_in_note_mode_after_a_note_and_notes_are_unmistakable(live_app: LiveApp) -> None:
    ticket_id = new_ticket(live_app, f"Mode kept {uuid.uuid4().hex[:6]}")
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        composer = open_ticket(p, live_app, ticket_id)
        expect(composer).to_have_attribute("data-mode", "public")
        expect(p.locator(".composer-send")).to_have_accessible_name("Send reply")
        expect(p.get_by_text("only agents see this")).to_be_hidden()

        p.keyboard.press("i")
        expect(composer).to_have_attribute("data-mode", "note")
        expect(p.locator("#composer-note-label")).to_be_visible()
        expect(p.locator("#composer-note-label")).to_have_text("Internal note — only agents see this")
        expect(p.locator(".composer-send")).to_have_accessible_name("Add internal note")
        p.keyboard.type("First note: checked the logs.")
        with p.expect_navigation():
            p.keyboard.press("Control+Enter")

        expect(p.locator(".message.note", has_text="First note: checked the logs.")).to_have_count(1)
        # the next message is a note too, unless the agent switches
        expect(composer).to_have_attribute("data-mode", "note")
        expect(p.locator("input[name=kind][value=note]")).to_be_checked()
        expect(p.locator(".composer-send")).to_have_accessible_name("Add internal note")
        screenshot(p, "composer-note-mode-1280")
        p.set_viewport_size({"width": 820, "height": 1000})
        screenshot(p, "composer-note-mode-820")
        p.set_viewport_size({"width": 1280, "height": 800})
        p.locator("#composer-body").fill("Second note, still internal.")
        with p.expect_navigation():
            p.locator(".composer-send").click()
        expect(composer).to_have_attribute("data-mode", "note")

        p.keyboard.press("r")  # after the page loaded, focus is not in a field: r and i are keys
        expect(composer).to_have_attribute("data-mode", "public")
        expect(p.locator(".composer-send")).to_have_accessible_name("Send reply")
        expect(p.locator("#composer-body")).to_be_focused()
    kinds = [(m["kind"], m["body"]) for m in messages_of(live_app, ticket_id)]
    assert kinds == [("note", "First note: checked the logs."), ("note", "Second note, still internal.")]


def test_a_draft_survives_a_reload_and_appears_in_another_browser(live_app: LiveApp) -> None:
    ticket_id = new_ticket(live_app, f"Draft {uuid.uuid4().hex[:6]}")
    text = "Half-written answer about the refund"
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        open_ticket(p, live_app, ticket_id)
        with p.expect_response(lambda r: r.url.endswith("/draft/") and r.status == 200):
            p.locator("#composer-body").click()
            p.keyboard.type(text)
        expect(p.locator("[data-draft-status]")).to_contain_text("Draft saved")

        p.reload()
        expect(p.locator("#composer-body")).to_have_text(text)
        expect(p.locator("[data-draft-status]")).to_have_text("Draft restored")

        other = p.context.browser.new_context(viewport={"width": 1280, "height": 800})
        try:
            q: Any = other.new_page()
            sign_in(q, live_app, AGENT)
            open_ticket(q, live_app, ticket_id)
            expect(q.locator("#composer-body")).to_have_text(text)
            # the first browser saved since this one read the draft? not yet: this one may go on
            with q.expect_response(lambda r: r.url.endswith("/draft/") and r.status == 200):
                q.locator("#composer-body").press("End")
                q.keyboard.type(" (from the phone)")
        finally:
            other.close()

        # the first page read an older version: its next save is refused, and it can load the newer one
        with p.expect_response(lambda r: r.url.endswith("/draft/") and r.status == 409):
            p.locator("#composer-body").press("End")
            p.keyboard.type("!")
        expect(p.locator("[data-draft-conflict]")).to_be_visible()
        p.get_by_role("button", name="Load that version").click()
        expect(p.locator("#composer-body")).to_have_text(text + " (from the phone)")

        # files are not part of the draft: leaving with files chosen asks first
        p.set_input_files("#composer-files", files=[{"name": "a.txt", "mimeType": "text/plain", "buffer": b"a"}])
        p.on("dialog", lambda d: d.dismiss())  # "stay on this page"
        with p.expect_event("dialog") as asked:
            p.locator("a.brand").click(no_wait_after=True)
        assert asked.value.type == "beforeunload"
        expect(p.locator("[data-file-list] li")).to_have_count(1)
        assert p.url.endswith(f"/tickets/{ticket_id}/")


SET_UP_MAIL = """
import json
from frontdesk.brands.services import default_brand
from frontdesk.channels.email.inbound import receive
from frontdesk.channels.email.models import Mailbox
from frontdesk.customers.models import Contact

box = Mailbox.objects.create(name="Help", address="help-{tag}@frontdesk.test", brand=default_brand(),
                             smtp_host="127.0.0.1", smtp_port={port}, smtp_starttls=False, auto_acknowledge=False)
raw = (
    "From: Carla <carla-{tag}@customer.test>\\r\\nTo: help-{tag}@frontdesk.test\\r\\n"
    "Subject: Replacement for my printer\\r\\nMessage-ID: <{tag}@customer.test>\\r\\n"
    "Content-Type: text/plain; charset=utf-8\\r\\n\\r\\nMy printer still does not print.\\r\\n"
).encode()
ticket = receive(mailbox=box, raw=raw, source="cli").ticket
boss, _ = Contact.objects.get_or_create(primary_email="boss-{tag}@customer.test", defaults={{"name": "Boss"}})
ticket.ccs.add(boss)
print(json.dumps({{"ticket": ticket.pk}}))
"""


def test_to_cc_and_bcc_of_an_email_reply_reach_the_smtp_server(live_app: LiveApp) -> None:
    tag = uuid.uuid4().hex[:8]
    sink = SmtpSink()
    sink.start()
    try:
        made = json.loads(live_app.shell(SET_UP_MAIL.format(tag=tag, port=sink.port)).strip().splitlines()[-1])
        with chromium_page() as page:
            p: Any = page
            sign_in(p, live_app, AGENT)
            open_ticket(p, live_app, made["ticket"])
            expect(p.get_by_label("To", exact=True)).to_have_value(f"carla-{tag}@customer.test")
            expect(p.get_by_label("CC", exact=True)).to_have_value(f"boss-{tag}@customer.test")
            p.get_by_label("BCC", exact=True).fill("not an address")
            p.locator("#composer-body").fill("Your replacement ships today.")
            with p.expect_navigation():
                p.locator(".composer-send").click()
            expect(p.locator("#composer-bcc-error")).to_have_text("not an email address: not, an, address")
            expect(p.get_by_label("BCC", exact=True)).to_have_value("not an address")
            expect(p.locator("#composer-body")).to_have_text("Your replacement ships today.")

            p.get_by_label("CC", exact=True).fill(f"boss-{tag}@customer.test, it-{tag}@customer.test")
            p.get_by_label("BCC", exact=True).fill(f"audit-{tag}@ourcompany.test")
            with p.expect_navigation():
                p.locator(".composer-send").click()
            expect(p.locator(".message", has_text="Your replacement ships today.")).to_have_count(1)
            screenshot(p, "composer-email-reply-sent-1280")
        state = live_app.shell(
            "from frontdesk.channels.email.models import OutboundEmail\n"
            f"print(OutboundEmail.objects.filter(ticket_id={made['ticket']}, kind='reply').get().status)"
        )
        assert state.strip().splitlines()[-1] == "sent"
    finally:
        sink.stop()
    (envelope,) = sink.envelopes
    (message,) = sink.messages
    assert str(message["To"]) == f"carla-{tag}@customer.test"
    assert str(message["Cc"]) == f"boss-{tag}@customer.test, it-{tag}@customer.test"
    assert message["Bcc"] is None and f"audit-{tag}" not in message.as_string()
    assert sorted(envelope.rcpt_tos) == sorted(
        [f"carla-{tag}@customer.test", f"boss-{tag}@customer.test", f"it-{tag}@customer.test",
         f"audit-{tag}@ourcompany.test"]
    )


def test_the_toolbar_formats_and_the_stored_html_is_sanitised(live_app: LiveApp) -> None:
    ticket_id = new_ticket(live_app, f"Formatting {uuid.uuid4().hex[:6]}")
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        open_ticket(p, live_app, ticket_id)
        editor = p.locator("#composer-body")
        editor.click()
        p.keyboard.press("Control+b")
        p.keyboard.type("Important")
        p.keyboard.press("Control+b")
        p.keyboard.type(" steps:")
        p.keyboard.press("Enter")
        p.get_by_role("button", name="Bulleted list").click()
        p.keyboard.type("restart the router")
        p.keyboard.press("Enter")
        p.keyboard.type("wait a minute")
        expect(editor.locator("b, strong")).to_have_text("Important")
        expect(editor.locator("ul li")).to_have_count(2)
        # pasted HTML keeps its formatting, never its scripts or handlers
        p.evaluate("""() => {
            const data = new DataTransfer();
            data.setData('text/html', '<p><i onmouseover="alert(1)">pasted</i><script>alert(2)</script></p>');
            const paste = new ClipboardEvent('paste', {clipboardData: data, bubbles: true});
            document.getElementById('composer-body').dispatchEvent(paste);
        }""")
        expect(editor.locator("i")).to_have_text("pasted")
        assert editor.locator("script, [onmouseover]").count() == 0
        screenshot(p, "composer-formatting-1280")
        with p.expect_navigation():
            p.locator(".composer-send").click()
        shown = p.locator(".message", has_text="restart the router")
        expect(shown.locator(".body b, .body strong")).to_have_text("Important")
        expect(shown.locator("li")).to_have_count(2)
    (message,) = messages_of(live_app, ticket_id)
    assert "<li>restart the router</li>" in message["html"] and "script" not in message["html"]
    assert "onmouseover" not in message["html"]
    assert "- restart the router\n- wait a minute" in message["body"]


def test_files_are_added_by_drop_listed_with_remove_buttons_and_too_large_ones_refused(live_app: LiveApp) -> None:
    ticket_id = new_ticket(live_app, f"Files {uuid.uuid4().hex[:6]}")
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        open_ticket(p, live_app, ticket_id)
        limit = int(p.get_attribute("#composer", "data-max-file-bytes"))
        p.evaluate("""(limit) => {
            const data = new DataTransfer();
            data.items.add(new File(['invoice'], 'invoice.txt', {type: 'text/plain'}));
            data.items.add(new File(['log'], 'router.log', {type: 'text/plain'}));
            data.items.add(new File([new Uint8Array(limit + 1)], 'huge.bin', {type: 'application/octet-stream'}));
            const zone = document.querySelector('.composer-files');
            zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: data, bubbles: true, cancelable: true}));
            zone.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
        }""", limit)
        files = p.locator("[data-file-list] li")
        expect(files).to_have_count(2)
        expect(p.locator("#composer-files-error")).to_contain_text("huge.bin")
        expect(p.locator("#composer-files-error")).to_contain_text("over the limit")
        p.get_by_role("button", name="Remove router.log").click()
        expect(files).to_have_count(1)
        assert p.evaluate("document.getElementById('composer-files').files.length") == 1
        p.locator("#composer-body").fill("The invoice is attached.")
        screenshot(p, "composer-files-1280")
        with p.expect_navigation():
            p.locator(".composer-send").click()
        shown = p.locator(".message", has_text="The invoice is attached.")
        expect(shown.locator("a", has_text="invoice.txt")).to_have_count(1)
        expect(shown.locator("a", has_text="router.log")).to_have_count(0)


def test_mentions_are_chosen_by_keyboard_and_unknown_handles_are_flagged(live_app: LiveApp) -> None:
    ticket_id = new_ticket(live_app, f"Mentions {uuid.uuid4().hex[:6]}")
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        open_ticket(p, live_app, ticket_id)
        p.keyboard.press("i")
        p.keyboard.type("Can you check this @sam")
        listbox = p.get_by_role("listbox", name="Agents to mention")
        expect(listbox).to_be_visible()
        option = listbox.get_by_role("option", name="Sam Supervisor")
        expect(option).to_have_attribute("aria-selected", "true")
        editor = p.locator("#composer-body")
        expect(editor).to_have_attribute("aria-activedescendant", option.get_attribute("id") or "")
        screenshot(p, "composer-mention-suggestions-1280")
        p.keyboard.press("Enter")
        expect(listbox).to_be_hidden()
        expect(editor).to_have_text("Can you check this @supervisor\u00a0")  # the handle, then a space
        with p.expect_response(lambda r: "/mentions/check/" in r.url):
            p.keyboard.type("and @nobodyhere too")
        warning = p.locator("[data-mentions-warning]")
        expect(warning).to_be_visible()
        expect(warning.locator("[data-unknown-list]")).to_have_text("@nobodyhere")
        screenshot(p, "composer-unknown-mention-1280")

        p.locator(".composer-send").click()  # held: the agent has not confirmed
        expect(p.get_by_label("Add the note anyway")).to_be_focused()
        assert messages_of(live_app, ticket_id) == []
        p.get_by_label("Add the note anyway").check()
        with p.expect_navigation():
            p.locator(".composer-send").click()
        expect(p.locator(".message.note", has_text="Can you check this")).to_have_count(1)
    (note,) = messages_of(live_app, ticket_id)
    assert note["kind"] == "note" and note["mentions"] == [SUPERVISOR]
    assert "@nobodyhere" in note["body"]
