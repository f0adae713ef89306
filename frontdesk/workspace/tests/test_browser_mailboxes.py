"""Browser journey of the email settings: an admin creates a mailbox through the page, rotates its
inbound secret, then fixes the cause of a quarantined message and reprocesses it. Screenshots of
the mailbox list, the edit page and the quarantine."""

from __future__ import annotations

import json
import uuid

from frontdesk.testing.browser import chromium_page, screenshot
from frontdesk.testing.live import LiveApp, sign_in

ADMIN = "admin@demo.frontdesk.local"


def _stored(live_app: LiveApp, address: str) -> dict:
    out = live_app.shell(
        "import json; from frontdesk.channels.email.models import Mailbox as M; "
        f"m = M.objects.get(address='{address}'); "
        "print(json.dumps({'id': m.pk, 'imap_host': m.imap_host, 'imap_password': m.imap_password, "
        "'secret': m.inbound_secret, 'max': m.max_message_bytes}))"
    )
    return dict(json.loads(out.strip().splitlines()[-1]))


def _quarantine_one(live_app: LiveApp, small: str, tag: str) -> int:
    """A mailbox that accepts at most 1 KiB, and a message it refused (stored, quarantined)."""
    out = live_app.shell(
        "from frontdesk.brands.services import default_brand; "
        "from frontdesk.channels.email.inbound import receive; "
        "from frontdesk.channels.email.models import Mailbox; "
        f"m = Mailbox.objects.create(name='Small', address='{small}', brand=default_brand(), "
        "max_message_bytes=1024); "
        "raw = b'From: Zoe Big <zoe@customer.test>\\r\\nTo: " + small + "\\r\\nSubject: Big logs\\r\\n"
        f"Message-ID: <big-{tag}@customer.test>\\r\\n\\r\\n' + b'log line\\r\\n' * 400; "
        "row = receive(mailbox=m, raw=raw, source='http'); print(row.pk, row.status)"
    )
    pk, status = out.strip().splitlines()[-1].split()
    assert status == "quarantined"
    return int(pk)


def test_an_admin_creates_a_mailbox_and_reprocesses_quarantined_mail(live_app: LiveApp) -> None:
    tag = uuid.uuid4().hex[:8]  # addresses and Message-IDs of this test's own
    address, small = f"browser-help-{tag}@demo.frontdesk.test", f"browser-small-{tag}@demo.frontdesk.test"
    with chromium_page() as page:
        p: object = page
        sign_in(p, live_app, ADMIN)
        with p.expect_navigation():  # type: ignore[attr-defined]
            p.click("nav.sidebar >> text=Administration")  # type: ignore[attr-defined]
        with p.expect_navigation():  # type: ignore[attr-defined]
            p.click("main >> .settings-grid >> text=Mailboxes")  # type: ignore[attr-defined]
        with p.expect_navigation():  # type: ignore[attr-defined]
            p.click("main >> text=New mailbox")  # type: ignore[attr-defined]
        p.fill("#f-name", "Help desk")  # type: ignore[attr-defined]
        p.fill("#f-address", "not-an-address")  # type: ignore[attr-defined]
        p.fill("#f-imap-host", "imap.demo.frontdesk.test")  # type: ignore[attr-defined]
        p.fill("#f-imap-user", "help")  # type: ignore[attr-defined]
        p.fill("#f-imap-password", "imap-secret-in-browser")  # type: ignore[attr-defined]
        # the browser itself refuses a malformed email input: let it through to show the server's check
        p.eval_on_selector("#f-address", "el => el.type = 'text'")  # type: ignore[attr-defined]
        with p.expect_navigation():  # type: ignore[attr-defined]
            p.click("button:has-text('Create mailbox')")  # type: ignore[attr-defined]
        assert "not a valid email address" in p.inner_text("#f-address-error")  # type: ignore[attr-defined]
        assert p.input_value("#f-imap-host") == "imap.demo.frontdesk.test"  # type: ignore[attr-defined]
        # the password is never sent back
        assert p.input_value("#f-imap-password") == ""  # type: ignore[attr-defined]
        p.fill("#f-address", address)  # type: ignore[attr-defined]
        p.fill("#f-imap-password", "imap-secret-in-browser")  # type: ignore[attr-defined]
        with p.expect_navigation():  # type: ignore[attr-defined]
            p.click("button:has-text('Create mailbox')")  # type: ignore[attr-defined]
        stored = _stored(live_app, address)
        assert stored["imap_host"] == "imap.demo.frontdesk.test"
        assert stored["imap_password"] == "imap-secret-in-browser"
        assert p.url.endswith(f"/settings/mailboxes/{stored['id']}/")  # type: ignore[attr-defined]
        assert p.inner_text("#webhook-url").endswith(f"/api/v1/mail/inbound/{stored['id']}")  # type: ignore[attr-defined]
        assert p.inner_text("#inbound-secret") == stored["secret"]  # type: ignore[attr-defined]
        assert "imap-secret-in-browser" not in p.content()  # type: ignore[attr-defined]
        screenshot(p, "settings-mailbox-edit")
        p.set_viewport_size({"width": 900, "height": 1100})  # type: ignore[attr-defined]
        screenshot(p, "settings-mailbox-edit-tablet")
        p.set_viewport_size({"width": 1280, "height": 800})  # type: ignore[attr-defined]
        p.click("summary:has-text('Rotate the secret')")  # type: ignore[attr-defined]
        with p.expect_navigation():  # type: ignore[attr-defined]
            p.click("button:has-text('Rotate secret now')")  # type: ignore[attr-defined]
        rotated = _stored(live_app, address)["secret"]
        assert rotated != stored["secret"] and p.inner_text("#inbound-secret") == rotated  # type: ignore[attr-defined]

        inbound_id = _quarantine_one(live_app, small, tag)
        with p.expect_navigation():  # type: ignore[attr-defined]
            p.click("main >> .settings-nav >> text=Mailboxes")  # type: ignore[attr-defined]
        row = p.inner_text(f"tr:has(td:text-is('{address}'))")  # type: ignore[attr-defined]
        assert "Help desk" in row and "imap.demo.frontdesk.test" in row and "not polled yet" in row
        assert "webhook/MTA only" in p.inner_text(f"tr:has(td:text-is('{small}'))")  # type: ignore[attr-defined]
        screenshot(p, "settings-mailboxes")

        with p.expect_navigation():  # type: ignore[attr-defined]
            p.click("main >> .settings-nav >> text=Email quarantine")  # type: ignore[attr-defined]
        row = p.inner_text(f"#inbound-{inbound_id}")  # type: ignore[attr-defined]
        assert "zoe@customer.test" in row and "too large" in row and "Small" in row
        screenshot(p, "settings-quarantine")
        # the fix: a larger limit on the mailbox's page, then reprocess
        with p.expect_navigation():  # type: ignore[attr-defined]
            p.click(f"#inbound-{inbound_id} >> text=Small")  # type: ignore[attr-defined]
        p.fill("#f-max-message-bytes", "1048576")  # type: ignore[attr-defined]
        with p.expect_navigation():  # type: ignore[attr-defined]
            p.click("button:has-text('Save mailbox')")  # type: ignore[attr-defined]
        assert _stored(live_app, small)["max"] == 1048576
        with p.expect_navigation():  # type: ignore[attr-defined]
            p.click("main >> .settings-nav >> text=Email quarantine")  # type: ignore[attr-defined]
        with p.expect_navigation():  # type: ignore[attr-defined]
            p.click(f"#inbound-{inbound_id} >> button:has-text('Reprocess')")  # type: ignore[attr-defined]
        flash = p.inner_text(".flash")  # type: ignore[attr-defined]
        assert f"Message {inbound_id} was processed: ticket #" in flash
        assert p.locator(f"#inbound-{inbound_id}").count() == 0  # type: ignore[attr-defined]
        screenshot(p, "settings-quarantine-reprocessed")
        with p.expect_navigation():  # type: ignore[attr-defined]
            p.click(".flash >> a")  # type: ignore[attr-defined]
        assert "Big logs" in p.inner_text("h1")  # type: ignore[attr-defined]

        # list mail is ignored on purpose; an admin who knows better processes it anyway
        out = live_app.shell(
            "from frontdesk.channels.email.inbound import receive; "
            "from frontdesk.channels.email.models import Mailbox; "
            f"m = Mailbox.objects.get(address='{small}'); "
            "raw = b'From: Lee List <lee@customer.test>\\r\\nTo: " + small + "\\r\\nSubject: Via our group\\r\\n"
            f"Precedence: list\\r\\nMessage-ID: <list-{tag}@customer.test>\\r\\n\\r\\nPlease call me back.\\r\\n'; "
            "row = receive(mailbox=m, raw=raw, source='http'); print(row.pk, row.status)"
        )
        ignored_id, status = out.strip().splitlines()[-1].split()
        assert status == "ignored"
        p.goto(live_app.url + "/settings/quarantine/")  # type: ignore[attr-defined]
        with p.expect_navigation():  # type: ignore[attr-defined]
            p.click("main >> .settings-nav.sub >> text=Ignored")  # type: ignore[attr-defined]
        row = p.inner_text(f"#inbound-{ignored_id}")  # type: ignore[attr-defined]
        assert "lee@customer.test" in row and "precedence: list" in row
        screenshot(p, "settings-quarantine-ignored")
        with p.expect_navigation():  # type: ignore[attr-defined]
            p.click(f"#inbound-{ignored_id} >> button:has-text('Process anyway')")  # type: ignore[attr-defined]
        assert "was processed: ticket #" in p.inner_text(".flash")  # type: ignore[attr-defined]
        assert p.locator(f"#inbound-{ignored_id}").count() == 0  # type: ignore[attr-defined]
