"""Step 0: store the raw bytes before anything else, in their own transaction."""

from __future__ import annotations

import hashlib
import os
import re
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import IntegrityError, transaction

from frontdesk.channels.email.models import InboundEmail, Mailbox
from frontdesk.channels.email.pipeline.parse import clean_id, load, sender
from frontdesk.channels.email.pipeline.sender import address_key
from frontdesk.core.inserts import insert

_MSGID = re.compile(rb"^message-id[ \t]*:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE)


def _head(raw: bytes) -> bytes:
    return raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0][:262144]


def header_id_of(raw: bytes) -> str:
    """The Message-ID of the header block, read leniently (never raises)."""
    head = _head(raw)
    match = _MSGID.search(head)
    if match is None:
        return ""
    return clean_id(match.group(1).decode("utf-8", "replace"))


_FIELD_NAME = re.compile(rb"([!-9;-~]+)[ \t]*:")  # RFC 5322 field name, then the colon
_SENDER_FIELDS = (b"from", b"content-type")  # what parse.sender reads (the charset repairs 8-bit bytes)


def _sender_head(head: bytes) -> bytes:
    """The From and Content-Type fields of a header block whose every line is a field or a
    continuation, which the parser reads the same alone; any other block whole (the parser
    decides what an odd line means there)."""
    kept: list[bytes] = []
    keep = False
    for line in head.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t"):
            if keep:
                kept.append(line)
            continue
        match = _FIELD_NAME.match(line)
        if match is None:
            return head
        keep = match.group(1).lower() in _SENDER_FIELDS
        if keep:
            kept.append(line)
    return b"".join(kept)


def sender_facts(raw: bytes) -> tuple[str, str]:
    """(the sender's address key, an other address its display name claims) from the From
    header, read as the pipeline reads it (``parse.sender``); ('', '') when there is no single
    sender. Never raises. Only the fields it reads are parsed (on every message stored)."""
    try:
        found = sender(load(_sender_head(_head(raw)) + b"\n\n"))
    except Exception:  # noqa: BLE001 - the pipeline decides what to make of an unreadable header
        return "", ""
    return address_key(found.address)[:254], found.claim[:254]


def store_raw(
    *,
    mailbox: Mailbox | int | None,
    raw: bytes,
    source: str,
    imap_uidvalidity: int | None = None,
    imap_uid: int | None = None,
) -> InboundEmail:
    """Store the bytes and their row. ``mailbox``: the mailbox, or only its id (the LMTP listener's
    recipient check found it a moment ago: no need to read it again)."""
    mailbox_id = mailbox.pk if isinstance(mailbox, Mailbox) else mailbox
    if imap_uid is not None and mailbox_id is not None:
        existing = InboundEmail.objects.filter(
            mailbox_id=mailbox_id, imap_uidvalidity=imap_uidvalidity, imap_uid=imap_uid
        ).first()
        if existing is not None:
            return existing
    key, claim = sender_facts(raw)
    row = InboundEmail(
        mailbox_id=mailbox_id,
        source=(source or "")[:10],
        size=len(raw),
        sha256=hashlib.sha256(raw).hexdigest(),
        header_id=header_id_of(raw),
        sender_key=key,
        sender_claim=claim,
        imap_uidvalidity=imap_uidvalidity,
        imap_uid=imap_uid,
    )
    if isinstance(mailbox, Mailbox):
        row.mailbox = mailbox  # the caller's object, not read again
    _write_durably(row, raw)  # the file first, on disk, then its row
    try:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():  # a savepoint, so a caller's transaction survives a lost race
                insert(row)
        else:
            insert(row)  # one statement, committed on its own: no BEGIN/COMMIT round trips
    except IntegrityError:
        if row.raw:
            row.raw.delete(save=False)
        if imap_uid is None:
            raise  # no IMAP message to have lost a race for (a mailbox gone since its check): the caller refuses it
        # a concurrent poller stored the same IMAP message first
        return InboundEmail.objects.get(mailbox=mailbox_id, imap_uidvalidity=imap_uidvalidity, imap_uid=imap_uid)
    return row


def _sync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_durably(row: InboundEmail, raw: bytes) -> None:
    """Write the raw bytes as the row's file, on disk before the row is committed: the file and the
    directory entries that name it are synced, so the message acknowledged once its row commits
    survives a power cut as well as a killed process. A storage that is not a local folder (an
    object store) is durable once it has answered, and is written the usual way."""
    storage = row.raw.storage
    name = row.raw.field.generate_filename(row, f"{uuid.uuid4().hex}.eml")
    if not isinstance(storage, FileSystemStorage):
        row.raw.save(name, ContentFile(raw), save=False)
        return
    path = storage.path(name)
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):  # a new month: its folder, and the folder naming it, synced too
        os.makedirs(folder, exist_ok=True)
        _sync_dir(os.path.dirname(folder))
    mode = storage.file_permissions_mode if storage.file_permissions_mode is not None else 0o666
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        view = memoryview(raw)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    _sync_dir(folder)
    row.raw.name = name


def read_raw(inbound: InboundEmail) -> bytes:
    with inbound.raw.open("rb") as f:
        return f.read()
