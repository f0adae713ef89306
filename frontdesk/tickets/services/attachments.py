"""Attachments: stored on disk (MEDIA_ROOT) under a random name, typed from their bytes.

The client's file name is kept only as a sanitised display name and its declared
content type is ignored: the type comes from the first bytes of the file.
Executables (PE, ELF, Mach-O, scripts with #!) are refused.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
import uuid
import zipfile
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import transaction

from frontdesk.accounts.models import User
from frontdesk.core.actor import Actor
from frontdesk.core.errors import Conflict, PayloadTooLarge, ValidationError
from frontdesk.tickets.models import Attachment, StatusCategory, Ticket
from frontdesk.tickets.services._common import CLOSED_MESSAGE, require_visible

OCTET = "application/octet-stream"
_EXECUTABLE = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)
_SIMPLE = [
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
    (b"%PDF-", "application/pdf", ".pdf"),
]
_OOXML = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
}


class ExecutableRefused(ValidationError):
    code = "executable_refused"


def sniff(head: bytes, stream: IO[bytes] | None = None) -> tuple[str, str]:
    """(content type, extension) from the first bytes; ``stream`` lets zip files be told apart."""
    if head.startswith(_EXECUTABLE):
        raise ExecutableRefused(
            "Executable files are not accepted.", fields={"file": "executable files are refused"}
        )
    for magic, ctype, ext in _SIMPLE:
        if head.startswith(magic):
            return ctype, ext
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ".webp"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if stream is not None:
            try:
                stream.seek(0)
                with zipfile.ZipFile(stream) as zf:
                    names = zf.namelist()
                for prefix, found in _OOXML.items():
                    if any(n.startswith(prefix) for n in names):
                        return found
            except (zipfile.BadZipFile, OSError, ValueError):
                return OCTET, ""
        return "application/zip", ".zip"
    if _is_text(head):
        return "text/plain", ".txt"
    return OCTET, ""


def _is_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return not head  # an empty file is (empty) text
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # only a multi-byte character cut at the end is tolerated
            return False
        text = head[: exc.start].decode("utf-8")
    return all(ch in "\t\n\r\f" or unicodedata.category(ch) != "Cc" for ch in text)


def sanitise_filename(name: Any) -> str:
    """A display name without directories, control characters or leading dots."""
    name = str(name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".").strip()
    if len(name) > 200:
        stem, ext = os.path.splitext(name)
        name = stem[: 200 - len(ext[:20])] + ext[:20]
    return name or "attachment"


def attachment_store(*, actor: Actor, by: User | None, ticket: Ticket, upload: Any) -> Attachment:
    """Store one uploaded file (a Django UploadedFile or any named binary file object) on ``ticket``."""
    require_visible(by, ticket)
    if ticket.status_category == StatusCategory.CLOSED:
        raise Conflict(CLOSED_MESSAGE)
    return store_file(by=by, ticket=ticket, upload=upload)


def store_file(*, by: User | None, ticket: Ticket, upload: Any) -> Attachment:
    """Check, type and save one file; the caller has checked who may attach to ``ticket``."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
    limit = settings.MAX_ATTACHMENT_BYTES
    if size > limit:
        raise PayloadTooLarge(
            f"The file is larger than the limit of {limit} bytes.", fields={"file": f"at most {limit} bytes"}
        )
    upload.seek(0)
    head = upload.read(4096)
    ctype, ext = sniff(head, upload)
    digest = hashlib.sha256()
    upload.seek(0)
    chunks = upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(1 << 16), b"")
    for chunk in chunks:
        digest.update(chunk)
    upload.seek(0)
    filename = sanitise_filename(getattr(upload, "name", ""))
    with transaction.atomic():
        attachment = Attachment(
            ticket=ticket,
            uploaded_by=by,
            filename=filename,
            content_type=ctype,
            size=size,
            sha256=digest.hexdigest(),
        )
        # the name on disk is random: nothing the client sent reaches the file system
        attachment.file.save(f"{uuid.uuid4().hex}{ext}", File(upload), save=False)
        attachment.save()
    return attachment


def attachments_collect(
    *, actor: Actor, by: User | None, ticket: Ticket, items: list[Any] | None
) -> list[Attachment]:
    """Uploaded files are stored; integer ids name attachments already uploaded to this ticket
    (by the same person) and not yet part of a message."""
    if not items:
        return []
    ids = [i for i in items if isinstance(i, int) and not isinstance(i, bool)]
    uploads = [i for i in items if not isinstance(i, int)]
    found: list[Attachment] = []
    if ids:
        qs = Attachment.objects.filter(pk__in=set(ids), ticket_id=ticket.pk, message__isnull=True)
        if by is not None:
            qs = qs.filter(uploaded_by_id=by.pk)
        found = list(qs)
        if len(found) != len(set(ids)):
            raise ValidationError(
                "Some attachments are unknown or already used.",
                fields={"attachments": "unknown attachment id"},
            )
    return found + [store_file(by=by, ticket=ticket, upload=u) for u in uploads]
