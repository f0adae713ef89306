from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from frontdesk.core.actor import Actor
from frontdesk.core.errors import NotFound, PayloadTooLarge, ValidationError
from frontdesk.testing.factories import contact_of, make_ticket
from frontdesk.tickets.services import attachment_store, message_add, sanitise_filename, sniff

pytestmark = pytest.mark.django_db


def _zip(*names: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in names:
            zf.writestr(name, "x")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
        (b"GIF89a...", "image/gif"),
        (b"%PDF-1.7\n", "application/pdf"),
        (
            _zip("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (_zip("xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (_zip("notes.txt"), "application/zip"),
        ("héllo, world\n".encode(), "text/plain"),
        (b"\x00\x01\x02binary", "application/octet-stream"),
    ],
)
def test_sniff_types_from_bytes(data, expected) -> None:
    assert sniff(data[:4096], io.BytesIO(data))[0] == expected


@pytest.mark.parametrize("data", [b"MZ\x90\x00", b"\x7fELF\x02\x01", b"#!/bin/sh\nrm -rf /"])
def test_executables_are_refused(agent, data) -> None:
    ticket = make_ticket()
    with pytest.raises(ValidationError, match="Executable"):
        attachment_store(
            actor=Actor.of(agent), ticket=ticket, upload=SimpleUploadedFile("a.pdf", data)
        )


def test_filenames_are_sanitised() -> None:
    assert sanitise_filename("../../etc/passwd") == "passwd"
    assert sanitise_filename("C:\\Users\\x\\evil\r\n.txt") == "evil.txt"
    assert sanitise_filename("..") == "attachment"
    assert sanitise_filename("ok name.pdf") == "ok name.pdf"


def test_store_keeps_file_on_disk_with_digest_and_sniffed_type(agent, settings, tmp_path) -> None:
    import hashlib

    settings.MEDIA_ROOT = str(tmp_path)
    ticket = make_ticket()
    data = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    upload = SimpleUploadedFile("../shot.exe", data, content_type="application/x-msdownload")
    att = attachment_store(actor=Actor.of(agent), ticket=ticket, upload=upload)
    assert att.content_type == "image/png" and att.filename == "shot.exe" and att.size == len(data)
    assert att.sha256 == hashlib.sha256(data).hexdigest()
    assert att.file.path.startswith(str(tmp_path)) and "shot" not in att.file.name
    with open(att.file.path, "rb") as fh:
        assert fh.read() == data
    message = message_add(
        actor=Actor.of(agent), ticket=ticket, body="see file", attachments=[att.pk]
    )
    att.refresh_from_db()
    assert att.message == message
    with pytest.raises(ValidationError):  # an attachment is sent once
        message_add(actor=Actor.of(agent), ticket=ticket, body="again", attachments=[att.pk])


def test_size_limit(agent, settings) -> None:
    settings.MAX_ATTACHMENT_BYTES = 10
    with pytest.raises(PayloadTooLarge, match="10 bytes"):
        attachment_store(
            actor=Actor.of(agent),
            ticket=make_ticket(),
            upload=SimpleUploadedFile("a.txt", b"x" * 11),
        )


def test_customer_cannot_attach_to_another_customers_ticket_or_use_foreign_ids(customer_user, agent) -> None:
    other = make_ticket()
    with pytest.raises(NotFound):
        attachment_store(
            actor=Actor.of(customer_user),
            ticket=other,
            upload=SimpleUploadedFile("a.txt", b"x"),
        )
    mine = make_ticket(requester=contact_of(customer_user))
    agents_file = attachment_store(
        actor=Actor.of(agent), ticket=mine, upload=SimpleUploadedFile("a.txt", b"x")
    )
    with pytest.raises(ValidationError):
        message_add(
            actor=Actor.of(customer_user),
            ticket=mine,
            body="x",
            attachments=[agents_file.pk],
        )
