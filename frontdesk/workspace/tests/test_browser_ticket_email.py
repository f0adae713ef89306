"""Browser journey: an agent reads an email conversation on the ticket page of a real server, in
Debian's Chromium: a Gmail reply with its history folded (opened without JavaScript, by <details>),
the original .eml downloaded, and the delivery of the agent's emailed replies (sent, retrying,
given up, with the banner). Mail goes out through a real SMTP sink, then a refused port."""

from __future__ import annotations

import json
import uuid
from typing import Any

from frontdesk.channels.email.tests.test_outbound_helpers import SmtpSink, free_port
from frontdesk.testing.browser import ARTIFACTS, chromium_page
from frontdesk.testing.browser import screenshot as _screenshot
from frontdesk.testing.live import LiveApp, sign_in

AGENT = "agent@demo.frontdesk.local"

SET_UP = """
import json
from django.utils import timezone
from frontdesk.accounts.models import User
from frontdesk.brands.services import default_brand
from frontdesk.channels.email import sending
from frontdesk.channels.email.inbound import receive
from frontdesk.channels.email.models import Mailbox, OutboundEmail
from frontdesk.channels.email.tests.test_pipeline_common import eml, sent_from
from frontdesk.core.actor import Actor
from frontdesk.tickets.services import message_add

box = Mailbox.objects.create(name="Help", address="help-{tag}@frontdesk.test", brand=default_brand(),
                             smtp_host="127.0.0.1", smtp_port={sink_port}, smtp_starttls=False, auto_acknowledge=False)
opened = receive(mailbox=box, raw=eml("new_ticket.eml"), source="cli")
ticket = opened.ticket
gmail = receive(mailbox=box, raw=eml("gmail_reply.eml", ticket=ticket.pk, ours=sent_from(ticket)), source="cli")
agent = User.objects.get(email="{agent}")

def reply(body):
    message = message_add(actor=Actor.of(agent), ticket=ticket, body=body)  # sent after commit
    return message, OutboundEmail.objects.get(message=message)

sent, _ = reply("Could you send a photo of the display?")
Mailbox.objects.filter(pk=box.pk).update(smtp_port={refused_port})
retrying, _ = reply("I have asked the technician to call you.")
dead, row = reply("The technician comes on Tuesday.")
OutboundEmail.objects.filter(pk=row.pk).update(attempts=sending.MAX_ATTEMPTS - 1, next_attempt_at=timezone.now())
sending.send_one(row.pk)
statuses = [OutboundEmail.objects.get(message=m).status for m in (sent, retrying, dead)]
print(json.dumps({{"ticket": ticket.pk, "gmail": gmail.message_id, "inbound": gmail.pk, "dead": dead.pk,
                  "statuses": statuses}}))
"""


def screenshot(page: Any, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    _screenshot(page, name)


def test_an_agent_reads_an_email_conversation_and_sees_where_the_mail_stands(live_app: LiveApp) -> None:
    sink = SmtpSink()
    sink.start()
    try:
        code = SET_UP.format(tag=uuid.uuid4().hex[:8], sink_port=sink.port, refused_port=free_port(), agent=AGENT)
        made = json.loads(live_app.shell(code).strip().splitlines()[-1])
    finally:
        sink.stop()
    assert made["statuses"] == ["sent", "failed", "dead"]
    assert len(sink.messages) == 1  # the one reply that went out

    with chromium_page() as page:
        p: Any = page
        sign_in(p, live_app, AGENT)
        p.goto(f"{live_app.url}/tickets/{made['ticket']}/")
        gmail = p.locator(f"#message-{made['gmail']}")
        assert "It still does not print after the restart." in gmail.locator(".body").first.inner_text()
        history = gmail.locator("details.quoted")
        assert not history.locator("blockquote").is_visible(), "folded"
        assert history.locator("summary").inner_text() == "Show quoted text"
        screenshot(p, "ticket-email-folded-1280")

        history.locator("summary").click()
        assert history.locator("blockquote").is_visible()
        assert "Please restart it." in history.inner_text()
        assert history.locator("summary").inner_text() == "Hide quoted text"
        screenshot(p, "ticket-email-expanded-1280")

        with p.expect_download() as download:
            gmail.get_by_role("link", name="Original email (.eml)").click()
        assert download.value.suggested_filename == f"message-{made['inbound']}.eml"

        banner = p.locator(".alert.mail-dead")
        assert "could not be delivered" in banner.inner_text()
        banner.get_by_role("link", name="Show the message").click()
        dead = p.locator(f"#message-{made['dead']} .delivery-dead")
        assert "gave up after 10 attempts" in dead.inner_text()
        assert p.locator(".delivery-failed", has_text="Sending failed, retrying (attempt 1)").count() == 1
        assert p.locator(".delivery-sent", has_text="Emailed to carla@customer.test").count() == 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        p.screenshot(path=str(ARTIFACTS / "ticket-email-delivery-failed-1280.png"))  # the view the link scrolled to
