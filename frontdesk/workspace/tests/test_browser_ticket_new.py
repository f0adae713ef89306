"""In Chromium, on a real server: an agent opens a New ticket from a customer's page as an outbound
email (the ticket page shows it, and the email reaches a real SMTP sink), and another for a
brand-new customer using the keyboard only (the picker is a combobox: type, arrow, Enter)."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from frontdesk.testing.browser import chromium_page, screenshot
from frontdesk.testing.live import LiveApp, sign_in
from frontdesk.testing.smtp_sink import SmtpSink

pytestmark = pytest.mark.browser
AGENT = "agent@demo.frontdesk.local"
TICKET_URL = re.compile(r".*/tickets/\d+/$")

SET_UP = """
import json
from frontdesk.brands.services import default_brand
from frontdesk.channels.email.models import Mailbox
from frontdesk.core.actor import SYSTEM
from frontdesk.customers.services import contact_create

# the brand's only active mailbox while the test runs: the others are put back afterwards (RESTORE)
was = list(Mailbox.objects.filter(brand=default_brand(), active=True).values_list("pk", flat=True))
Mailbox.objects.filter(pk__in=was).update(active=False)
Mailbox.objects.create(name="Help", address="help-{tag}@frontdesk.test", brand=default_brand(),
                       smtp_host="127.0.0.1", smtp_port={port}, smtp_starttls=False, auto_acknowledge=False)
c = contact_create(actor=SYSTEM, name="Nora {tag}", email="nora-{tag}@customer.test")
print(json.dumps({{"contact": c.pk, "was_active": was}}))
"""

RESTORE = """
from frontdesk.channels.email.models import Mailbox
Mailbox.objects.filter(address="help-{tag}@frontdesk.test").update(active=False)
Mailbox.objects.filter(pk__in={was_active!r}).update(active=True)
"""


def _last_json(out: str) -> dict[str, Any]:
    return dict(json.loads(out.strip().splitlines()[-1]))


def test_from_a_customer_page_an_outbound_email_ticket_is_created_and_the_email_leaves(live_app: LiveApp) -> None:
    from playwright.sync_api import expect

    tag = uuid.uuid4().hex[:8]
    sink = SmtpSink()
    sink.start()
    made: dict[str, Any] = {}
    try:
        made = _last_json(live_app.shell(SET_UP.format(tag=tag, port=sink.port)))
        with chromium_page() as page:
            p: Any = page
            sign_in(p, live_app, AGENT)
            p.goto(f"{live_app.url}/customers/{made['contact']}/")
            with p.expect_navigation():
                p.locator("#main").get_by_role("link", name="New ticket", exact=True).click()
            assert f"requester={made['contact']}" in p.url
            expect(p.locator("#requester-chosen")).to_contain_text(f"Selected: Nora {tag}")
            p.get_by_text("Outbound email", exact=True).click()
            expect(p.get_by_label("Your email to the customer")).to_be_visible()
            expect(p.get_by_role("button", name="Create and send email")).to_be_visible()
            expect(p.get_by_text(f"Sent from help-{tag}@frontdesk.test")).to_be_visible()
            p.get_by_label("Subject").fill(f"Your replacement {tag}")
            p.get_by_label("Your email to the customer").fill("Your replacement part ships on Monday.")
            p.get_by_label("Submit as").select_option(label="Pending")
            screenshot(p, "ticket-new-outbound-1280")
            p.set_viewport_size({"width": 820, "height": 1000})
            screenshot(p, "ticket-new-outbound-820")
            with p.expect_navigation(url=TICKET_URL):
                p.get_by_role("button", name="Create and send email").click()
            expect(p.locator(".flash")).to_contain_text(f"the email to nora-{tag}@customer.test is on its way")
            expect(p.locator(".timeline")).to_contain_text("Your replacement part ships on Monday.")
            expect(p.locator(".delivery-sent")).to_contain_text(f"Emailed to nora-{tag}@customer.test")
            screenshot(p, "ticket-new-outbound-created-820")
        mail = sink.to(f"nora-{tag}@customer.test")
        assert len(mail) == 1 and f"Your replacement {tag}" in str(mail[0]["Subject"])
        assert "Your replacement part ships on Monday." in mail[0].get_body(("plain",)).get_content()
    finally:
        sink.stop()
        if made:
            live_app.shell(RESTORE.format(tag=tag, was_active=made["was_active"]))


def test_a_ticket_for_a_brand_new_customer_by_keyboard_only(live_app: LiveApp) -> None:
    from playwright.sync_api import expect

    tag = uuid.uuid4().hex[:8]
    email = f"kim-{tag}@customer.test"
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        p.goto(f"{live_app.url}/tickets/new/")
        combo = p.get_by_role("combobox", name="Find a customer")
        combo.focus()
        p.keyboard.type(email)
        offer = p.get_by_role("option", name=f"New customer with the email {email}")
        expect(offer).to_be_visible()
        expect(combo).to_have_attribute("aria-expanded", "true")
        screenshot(p, "ticket-new-picker-1280")
        p.keyboard.press("ArrowDown")
        expect(offer).to_have_attribute("aria-selected", "true")
        expect(combo).to_have_attribute("aria-activedescendant", "requester-option-new")
        p.keyboard.press("Enter")
        name = p.get_by_label("Name", exact=True)
        expect(name).to_be_focused()
        expect(p.get_by_label("Email", exact=True)).to_have_value(email)
        p.keyboard.type("Kim Keys")
        p.keyboard.press("Tab")  # email, filled in
        p.keyboard.press("Tab")  # phone
        p.keyboard.type("+44 20 7946 0123")
        p.keyboard.press("Tab")
        expect(p.get_by_label("Subject")).to_be_focused()
        p.keyboard.type(f"Cannot sign in {tag}")
        p.keyboard.press("Tab")
        expect(p.get_by_label("The customer's message")).to_be_focused()
        p.keyboard.type("Kim called the front desk: the sign-in link has expired.")
        with p.expect_navigation(url=TICKET_URL):
            p.keyboard.press("Control+Enter")
        expect(p.locator("h1")).to_contain_text(f"Cannot sign in {tag}")
        expect(p.locator("main")).to_contain_text("Kim Keys")
    out = _last_json(live_app.shell(
        "import json\n"
        "from frontdesk.customers.models import Contact\n"
        f"cs = list(Contact.objects.filter(identities__value={email!r}))\n"
        "print(json.dumps({'n': len(cs), 'name': cs[0].name, "
        "'phones': [i.value for i in cs[0].identities.filter(kind='phone')], "
        "'tickets': [t.subject for t in cs[0].tickets.all()]}))"
    ))
    assert out == {"n": 1, "name": "Kim Keys", "phones": ["+442079460123"], "tickets": [f"Cannot sign in {tag}"]}


def test_a_refused_phone_call_keeps_what_was_typed_and_asks_for_the_file_again(live_app: LiveApp, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    tag = uuid.uuid4().hex[:8]
    made = _last_json(live_app.shell(
        "import json\n"
        "from frontdesk.core.actor import SYSTEM\n"
        "from frontdesk.customers.services import contact_create\n"
        f"c = contact_create(actor=SYSTEM, name='Paz {tag}', phone='+34 600 {int(tag, 16) % 10**6:06d}')\n"
        "print(json.dumps({'contact': c.pk}))"
    ))
    notes = tmp_path / "call-notes.txt"
    notes.write_text("what was said")
    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        p.goto(f"{live_app.url}/tickets/new/?requester={made['contact']}")
        p.get_by_text("Phone call", exact=True).click()
        expect(p.get_by_label("Duration in minutes (optional)")).to_be_visible()
        p.get_by_label("Duration in minutes (optional)").fill("soon")
        p.get_by_label("Call notes (internal)").fill("Paz asked to move the delivery.")
        p.get_by_label("Attach files").set_input_files(str(notes))
        with p.expect_navigation():
            p.get_by_role("button", name="Log the call").click()
        expect(p.locator("#nt-minutes-error")).to_contain_text("whole minutes")
        expect(p.get_by_label("Duration in minutes (optional)")).to_have_value("soon")
        expect(p.get_by_label("Call notes (internal)")).to_have_value("Paz asked to move the delivery.")
        expect(p.locator("#requester-chosen")).to_contain_text(f"Selected: Paz {tag}")
        expect(p.locator("#nt-files-error")).to_contain_text("Choose your file again (call-notes.txt)")
        screenshot(p, "ticket-new-phone-errors-1280")
        p.set_viewport_size({"width": 820, "height": 1000})
        screenshot(p, "ticket-new-phone-errors-820")
        p.get_by_label("Duration in minutes (optional)").fill("4")
        p.get_by_label("Subject").fill(f"Delivery date {tag}")
        p.get_by_label("Attach files").set_input_files(str(notes))
        with p.expect_navigation(url=TICKET_URL):
            p.get_by_role("button", name="Log the call").click()
        note = p.locator(".message.note").first
        expect(note).to_contain_text("Incoming call, 4 min.")
        expect(note).to_contain_text("call-notes.txt")
