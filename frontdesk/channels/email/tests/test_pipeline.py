"""The inbound pipeline: storing first, idempotence, tickets and messages, quarantine."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from frontdesk.channels.email.inbound import process_inbound, receive_raw, reprocess
from frontdesk.channels.email.models import EmailReference, InboundEmail, InboundStatus, Mailbox
from frontdesk.channels.email.pipeline import receive as receive_module
from frontdesk.channels.email.tests.test_pipeline_common import eml, ingest, make_mailbox, message_of, ticket_of
from frontdesk.customers.models import Contact
from frontdesk.testing import factories as f
from frontdesk.tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db


def test_new_mail_becomes_a_ticket_with_sanitised_html(mailbox: Mailbox) -> None:
    row = ingest(mailbox, eml("new_ticket.eml"))
    assert row.status == InboundStatus.PROCESSED, row.reason
    ticket = ticket_of(row)
    assert ticket.subject == "Printer won\u2019t print"
    assert ticket.channel == "email" and ticket.brand_id == mailbox.brand_id
    assert ticket.requester.name == "Carla Customer"
    message = message_of(row)
    assert "my printer won\u2019t print" in message.body
    assert "<script" not in message.body_html and "onclick" not in message.body_html
    assert EmailReference.objects.filter(header_id="first-1@customer.test", ticket=ticket, outgoing=False).exists()
    assert row.sender == "carla@customer.test"


def test_raw_is_stored_before_processing_and_kept(mailbox: Mailbox) -> None:
    raw = eml("new_ticket.eml")
    row = receive_raw(mailbox=mailbox, raw=raw, source="http")
    assert row.status == InboundStatus.RECEIVED and row.size == len(raw)
    assert row.header_id == "first-1@customer.test"
    assert not Ticket.objects.exists()
    with row.raw.open("rb") as f:
        assert f.read() == raw


def test_imap_uid_is_stored_once(mailbox: Mailbox) -> None:
    raw = eml("new_ticket.eml")
    a = receive_raw(mailbox=mailbox, raw=raw, source="imap", imap_uidvalidity=7, imap_uid=42)
    b = receive_raw(mailbox=mailbox, raw=raw, source="imap", imap_uidvalidity=7, imap_uid=42)
    c = receive_raw(mailbox=mailbox, raw=raw, source="imap", imap_uidvalidity=8, imap_uid=42)
    assert a.pk == b.pk != c.pk
    assert InboundEmail.objects.count() == 2


def test_processing_twice_makes_one_ticket(mailbox: Mailbox) -> None:
    row = receive_raw(mailbox=mailbox, raw=eml("new_ticket.eml"), source="cli")
    first = process_inbound(row.pk)
    again = process_inbound(row.pk)
    assert first.status == again.status == InboundStatus.PROCESSED
    assert Ticket.objects.count() == 1 and again.ticket_id == first.ticket_id


def test_same_message_id_again_is_ignored_as_duplicate(mailbox: Mailbox) -> None:
    ingest(mailbox, eml("new_ticket.eml"))
    second = ingest(mailbox, eml("new_ticket.eml"))
    assert second.status == InboundStatus.IGNORED and second.reason.startswith("duplicate")
    assert Ticket.objects.count() == 1


def test_one_message_to_two_of_our_mailboxes_makes_one_ticket(mailbox: Mailbox) -> None:
    billing = make_mailbox("billing@frontdesk.test")
    raw = eml("new_ticket.eml")
    ingest(mailbox, raw)
    second = ingest(billing, raw)  # the same mail, copied to billing@ as well
    assert second.status == InboundStatus.IGNORED and second.reason.startswith("duplicate")
    assert Ticket.objects.count() == 1


def test_a_stranger_reusing_a_message_id_is_not_a_duplicate(mailbox: Mailbox) -> None:
    ingest(mailbox, eml("new_ticket.eml"))
    forged = eml("new_ticket.eml").replace(b"carla@customer.test", b"mallory@elsewhere.test")
    row = ingest(mailbox, forged)
    assert row.status == InboundStatus.PROCESSED, row.reason
    assert Ticket.objects.count() == 2


def test_failure_quarantines_with_reason_then_reprocess_succeeds(
    mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = receive_module._write

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("search index down")

    monkeypatch.setattr(receive_module, "_write", broken)
    row = ingest(mailbox, eml("new_ticket.eml"))
    assert row.status == InboundStatus.QUARANTINED
    assert row.reason == "RuntimeError: search index down"
    assert not Ticket.objects.exists() and not Contact.objects.exists()  # the steps rolled back
    assert process_inbound(row.pk).status == InboundStatus.QUARANTINED  # left for an admin
    monkeypatch.setattr(receive_module, "_write", real)
    fixed = reprocess(row.pk)
    assert fixed.status == InboundStatus.PROCESSED and fixed.attempts == 2
    assert Ticket.objects.count() == 1


def test_inline_image_attached_and_shown_executable_refused_cc_followed(mailbox: Mailbox) -> None:
    row = ingest(mailbox, eml("inline_image.eml"))
    assert row.status == InboundStatus.PROCESSED, row.reason
    ticket = ticket_of(row)
    message = message_of(row)
    (image,) = Attachment.objects.filter(message=message)
    assert image.content_type == "image/png" and image.filename == "shot.png"
    assert f"/api/v1/attachments/{image.pk}/download" in message.body_html
    assert "cid:" not in message.body_html and "onerror" not in message.body_html
    assert "setup.exe (executable)" in message.body
    assert message.body.startswith("See the error:")
    assert [c.identities.get().value for c in ticket.ccs.all()] == ["boss@customer.test"]


def test_inline_image_in_the_quoted_history_is_shown_when_unfolded(mailbox: Mailbox) -> None:
    row = ingest(mailbox, eml("inline_image_quoted.eml"))
    assert row.status == InboundStatus.PROCESSED, row.reason
    message = message_of(row)
    (image,) = Attachment.objects.filter(message=message)
    assert "It happened again." in message.body_html and "shot" not in message.body_html
    assert f"/api/v1/attachments/{image.pk}/download" in message.quoted_html
    assert "cid:" not in message.quoted_html


def test_no_mailbox_uses_the_default_brand(db: Any) -> None:
    row = ingest(None, eml("new_ticket.eml"))
    assert row.status == InboundStatus.PROCESSED, row.reason


@pytest.mark.django_db(transaction=True)
def test_two_workers_with_the_same_message_make_one_ticket() -> None:
    """The same message delivered twice (an MTA retry) and processed by two workers at once."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are tested on PostgreSQL (the SQLite test database has one writer)")
    mailbox = make_mailbox()
    rows = [receive_raw(mailbox=mailbox, raw=eml("new_ticket.eml"), source="lmtp") for _ in range(2)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(pk: int) -> None:
        try:
            start.wait()
            process_inbound(pk)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(r.pk,)) for r in rows]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    statuses = sorted(InboundEmail.objects.values_list("status", flat=True))
    assert statuses == [InboundStatus.IGNORED, InboundStatus.PROCESSED]
    assert Ticket.objects.count() == 1


def test_a_reply_that_opens_a_ticket_keeps_its_quoted_history_folded(mailbox: Mailbox) -> None:
    row = ingest(mailbox, eml("gmail_reply.eml", ticket=0, ours="unknown-1@elsewhere.test"))  # no thread to join
    assert row.status == InboundStatus.PROCESSED, row.reason
    message = message_of(row)
    assert ticket_of(row).message_count == 1
    assert message.body == "It still does not print after the restart."
    assert message.quoted_text.startswith("On Mon, 23 Nov 2026 at 10:30")
    assert "Please restart it." in message.quoted_text
    assert "Please restart it." not in message.body_html and "Please restart it." in message.quoted_html


def test_the_quoted_html_is_sanitised_like_the_body(mailbox: Mailbox) -> None:
    html = (
        '<p>New words</p><blockquote type="cite"><script>alert(1)</script><p onclick="x()">Old words</p>'
        '<img src="https://tracker.test/p.gif" onerror="y()"><a href="javascript:z()">link</a></blockquote>'
    )
    raw = (
        "From: Carla <carla@customer.test>\nTo: support@frontdesk.test\nSubject: Re: hello\n"
        "Message-ID: <quoted-xss@customer.test>\nContent-Type: text/html; charset=utf-8\n\n" + html + "\n"
    )
    message = message_of(ingest(mailbox, raw.encode()))
    assert message.body_html == "<p>New words</p>"
    assert "Old words" in message.quoted_html
    for bad in ("<script", "onclick", "onerror", "javascript:", "type="):
        assert bad not in message.quoted_html


def test_the_api_returns_the_new_part_and_the_quoted_history(mailbox: Mailbox, api_for: Any) -> None:
    row = ingest(mailbox, eml("gmail_reply.eml", ticket=0, ours="unknown-2@elsewhere.test"))
    agent = f.UserFactory(role="agent")
    items = api_for(agent).get(f"/api/v1/tickets/{row.ticket_id}/messages").json()["items"]
    assert [m["body"] for m in items] == ["It still does not print after the restart."]
    assert "Please restart it." in items[0]["quoted_text"] and "Please restart it." in items[0]["quoted_html"]
