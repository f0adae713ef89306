"""Email on the ticket page: the quoted history folded under the new part, where each emailed
reply stands (sent, retrying, given up) with a banner when mail to the customer gave up, and
the original .eml of each message that arrived by email."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from frontdesk.channels.email import sending
from frontdesk.channels.email.models import Mailbox, OutboundEmail
from frontdesk.channels.email.tests.test_pipeline_common import (
    eml,
    ingest,
    message_of,
    sent_from,
    ticket_of,
)
from frontdesk.core.actor import SYSTEM, Actor
from frontdesk.testing import factories as f
from frontdesk.tickets.models import Message, Ticket
from frontdesk.tickets.services import message_add, ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)


def page_of(client: Client, ticket: Ticket) -> str:
    response = client.get(f"/tickets/{ticket.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def article(html: str, message: Message) -> str:
    start = html.index(f'id="message-{message.pk}"')
    return html[start : html.index("</article>", start)]


def folded(part: str) -> str:
    start = part.index('<details class="quoted">')
    return part[start : part.index("</details>", start)]


def test_an_email_reply_shows_its_new_part_with_the_history_folded_and_its_original(
    agent: Any, mailbox: Mailbox
) -> None:
    ticket = ticket_of(ingest(mailbox, eml("new_ticket.eml")))
    row = ingest(mailbox, eml("gmail_reply.eml", ticket=ticket.pk, ours=sent_from(ticket)))
    client = Client()
    client.force_login(agent)

    part = article(page_of(client, ticket), message_of(row))

    history = folded(part)
    assert "It still does not print after the restart." in part.replace(history, "")
    assert "Please restart it." not in part.replace(history, ""), "the history is only in the fold"
    assert "Show quoted text" in history and "Please restart it." in history and "wrote:" in history
    assert "<details class=\"quoted\" open" not in part, "folded until asked"
    link = f'href="/api/v1/mail/inbound/{row.pk}/raw"'
    assert link in part and "Original email (.eml)" in part
    download = client.get(f"/api/v1/mail/inbound/{row.pk}/raw")  # the link works with the agent's session
    assert download.status_code == 200 and download["Content-Type"] == "message/rfc822"
    assert b"".join(download.streaming_content) == row.raw.open("rb").read()


def test_a_plain_text_history_is_folded_and_escaped(agent: Any, mailbox: Mailbox) -> None:
    raw = (
        "From: Carla <carla@customer.test>\nTo: support@frontdesk.test\nSubject: Re: printer\n"
        "Message-ID: <plain-quote@customer.test>\nContent-Type: text/plain; charset=utf-8\n\n"
        "Thanks, <b>that</b> worked.\n\nOn Mon, 23 Nov 2026, Support wrote:\n> <script>alert(1)</script> restart it\n"
    )
    message = message_of(ingest(mailbox, raw.encode()))
    client = Client()
    client.force_login(agent)

    html = page_of(client, message.ticket)
    part = article(html, message)

    history = folded(part)
    escaped = "On Mon, 23 Nov 2026, Support wrote:\n&gt; &lt;script&gt;alert(1)&lt;/script&gt;"
    assert f'<div class="body">{escaped}' in history
    assert "Thanks, &lt;b&gt;that&lt;/b&gt; worked." in part.replace(history, "")
    assert "<script>alert(1)" not in html


def test_messages_written_in_frontdesk_have_no_fold_no_original_and_no_mail_line(agent: Any) -> None:
    ticket = ticket_create(actor=SYSTEM, requester=f.ContactFactory(), subject="Web form", body="Hello")
    message_add(actor=Actor.of(agent), ticket=ticket, body="Hi there")  # no mailbox: no email
    client = Client()
    client.force_login(agent)
    html = page_of(client, ticket)
    for absent in ('class="quoted"', "Original email", 'class="delivery', "mail-dead"):
        assert absent not in html


def _refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again: connecting is refused


def test_emailed_replies_show_where_their_mail_stands(agent: Any, mailbox: Mailbox) -> None:
    ticket = ticket_of(ingest(mailbox, eml("new_ticket.eml")))
    client = Client()
    client.force_login(agent)

    def reply(body: str) -> tuple[Message, OutboundEmail]:
        message = message_add(actor=Actor.of(agent), ticket=ticket, body=body)
        return message, OutboundEmail.objects.get(message=message, kind="reply")

    sent, sent_row = reply("First answer")
    assert sending.send_one(sent_row.pk)  # through the site's (test) mail backend
    page_of(client, ticket)
    with CaptureQueriesContext(connection) as one_reply:
        page_of(client, ticket)

    Mailbox.objects.filter(pk=mailbox.pk).update(smtp_host="127.0.0.1", smtp_port=_refused_port())
    retrying, retrying_row = reply("Second answer")
    assert not sending.send_one(retrying_row.pk)
    dead, dead_row = reply("Third answer")
    OutboundEmail.objects.filter(pk=dead_row.pk).update(attempts=sending.MAX_ATTEMPTS - 1)
    assert not sending.send_one(dead_row.pk)
    retrying_row.refresh_from_db()
    dead_row.refresh_from_db()
    assert (retrying_row.status, dead_row.status) == ("failed", "dead")

    with CaptureQueriesContext(connection) as three_replies:
        html = page_of(client, ticket)
    assert len(three_replies) == len(one_reply), "the mail of the page is one query, however many replies"

    assert "Emailed to carla@customer.test · sent " in article(html, sent)
    line = article(html, retrying)
    assert 'class="delivery delivery-failed"' in line
    assert "Sending failed, retrying (attempt 1): ConnectionRefusedError" in line and ", next try " in line
    line = article(html, dead)
    assert 'class="delivery delivery-dead"' in line
    assert "Not delivered to carla@customer.test: gave up after 10 attempts: ConnectionRefusedError" in line
    banner = html[html.index('class="alert mail-dead"') : html.index("</div>", html.index('class="alert mail-dead"'))]
    assert "An email to the customer could not be delivered" in banner
    assert f'href="#message-{dead.pk}"' in banner
    opening = Message.objects.filter(ticket=ticket).order_by("pk").first()
    assert opening is not None
    assert 'class="delivery' not in article(html, opening), "a customer's message was not emailed"


def test_no_banner_while_mail_is_only_retrying(agent: Any, mailbox: Mailbox) -> None:
    ticket = ticket_of(ingest(mailbox, eml("new_ticket.eml")))
    Mailbox.objects.filter(pk=mailbox.pk).update(smtp_host="127.0.0.1", smtp_port=_refused_port())
    message = message_add(actor=Actor.of(agent), ticket=ticket, body="An answer")
    assert not sending.send_one(OutboundEmail.objects.get(message=message).pk)
    client = Client()
    client.force_login(agent)
    html = page_of(client, ticket)
    assert "Sending failed, retrying" in article(html, message)
    assert "mail-dead" not in html
