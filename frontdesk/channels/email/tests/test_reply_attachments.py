"""A reply's attachments travel with the email, read from storage when it is sent; beyond the
size cap they are named in the body instead of failing the send."""

from __future__ import annotations

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from frontdesk.channels.email import sending
from frontdesk.channels.email.models import OutboundEmail
from frontdesk.channels.email.tests.test_outbound_helpers import (  # noqa: F401 - fixtures
    brand,
    customer,
    email_ticket,
    mailbox,
    smtp_sink,
)
from frontdesk.core.actor import Actor
from frontdesk.tickets.models import Attachment
from frontdesk.tickets.services import message_add

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.4\n" + os.urandom(700) + b"\n%%EOF\n"


def _reply_with(agent, ticket, files, run_on_commit, body="Here are the files."):  # type: ignore[no-untyped-def]
    with run_on_commit():
        return message_add(actor=Actor.of(agent), ticket=ticket, body=body, attachments=files)


def _attachments(sent):  # type: ignore[no-untyped-def]
    return [(p.get_filename(), p.get_content_type(), p.get_payload(decode=True)) for p in sent.iter_attachments()]


def test_reply_carries_its_attachments_with_name_type_and_bytes(agent, mailbox, smtp_sink, run_on_commit):  # noqa: F811
    ticket = email_ticket(mailbox, customer())
    files = [
        SimpleUploadedFile("screenshot.png", PNG),
        SimpleUploadedFile("Rechnung März.pdf", PDF),
        SimpleUploadedFile("notes.txt", "Zeile 1\nligne 2 — ok\n".encode()),
    ]
    message = _reply_with(agent, ticket, files, run_on_commit)
    assert Attachment.objects.filter(message=message).count() == 3

    [sent] = smtp_sink.messages
    assert sent.get_content_type() == "multipart/mixed"
    assert "Here are the files." in sent.get_body(("plain",)).get_content()
    assert "Here are the files." in sent.get_body(("html",)).get_content()
    assert _attachments(sent) == [
        ("screenshot.png", "image/png", PNG),
        ("Rechnung März.pdf", "application/pdf", PDF),
        ("notes.txt", "text/plain", "Zeile 1\nligne 2 — ok\n".encode()),
    ]
    assert "not attached" not in sent.get_body(("plain",)).get_content()
    assert OutboundEmail.objects.get(ticket=ticket).status == "sent"


def test_attachments_over_the_cap_are_named_in_the_body(agent, mailbox, smtp_sink, run_on_commit, settings):  # noqa: F811
    settings.EMAIL_MAX_OUTBOUND_ATTACHMENT_BYTES = 1500
    ticket = email_ticket(mailbox, customer())
    big = b"%PDF-1.4\n" + b"x" * 3000
    files = [
        SimpleUploadedFile("small.png", PNG),  # 1032 bytes: fits
        SimpleUploadedFile("R&D <draft>.pdf", big),  # over what is left of the cap
        SimpleUploadedFile("tiny.txt", b"hello"),  # still fits after the big one is left out
    ]
    _reply_with(agent, ticket, files, run_on_commit)

    [sent] = smtp_sink.messages
    assert [name for name, _t, _b in _attachments(sent)] == ["small.png", "tiny.txt"]
    text = sent.get_body(("plain",)).get_content()
    html = sent.get_body(("html",)).get_content()
    assert "Too large to send by email" in text
    assert "- R&D <draft>.pdf (2.9\xa0KB), not attached" in text
    assert "small.png" not in text and "tiny.txt" not in text
    assert "R&amp;D &lt;draft&gt;.pdf (2.9\xa0KB), not attached" in html
    assert "<draft>" not in html


def test_a_file_missing_from_storage_does_not_hold_the_reply_back(agent, mailbox, smtp_sink):  # noqa: F811
    ticket = email_ticket(mailbox, customer())
    files = [SimpleUploadedFile("gone.png", PNG), SimpleUploadedFile("kept.pdf", PDF)]
    message = message_add(actor=Actor.of(agent), ticket=ticket, body="x", attachments=files)
    row = OutboundEmail.objects.get(ticket=ticket)  # written, not sent yet (no commit in the test)
    gone = Attachment.objects.get(message=message, filename="gone.png")
    gone.file.storage.delete(gone.file.name)

    assert sending.send_one(row.pk)
    [sent] = smtp_sink.messages
    assert _attachments(sent) == [("kept.pdf", "application/pdf", PDF)]


def test_reply_without_attachments_stays_multipart_alternative(agent, mailbox, smtp_sink, run_on_commit):  # noqa: F811
    ticket = email_ticket(mailbox, customer())
    _reply_with(agent, ticket, None, run_on_commit, body="Nothing attached.")
    [sent] = smtp_sink.messages
    assert sent.get_content_type() == "multipart/alternative"
    assert list(sent.iter_attachments()) == []
