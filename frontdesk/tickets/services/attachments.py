"""Attachments: stored on disk (MEDIA_ROOT) under a random name, typed from their bytes.

The client's file name is kept only as a sanitised display name and its declared
content type is ignored: the type comes from the first bytes of the file.
Executables (PE, ELF, Mach-O, scripts with #!) are refused.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import unicodedata
import uuid
import zipfile
from datetime import datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from frontdesk.accounts.acting import acting_person, acting_user
from frontdesk.accounts.models import User
from frontdesk.core.actor import Actor
from frontdesk.core.errors import Conflict, NotFound, PayloadTooLarge, ValidationError
from frontdesk.core.ids import check_id
from frontdesk.core.inserts import insert
from frontdesk.core.transactions import service_atomic
from frontdesk.tickets import policies
from frontdesk.tickets.models import Attachment, Message, StatusCategory, Ticket
from frontdesk.tickets.services._common import CLOSED_MESSAGE, require_visible

log = logging.getLogger(__name__)
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


# uploads not yet sent in a message are deleted (rows and files) this long after the upload
UNSENT_TTL = timedelta(hours=24)
SWEEP_BATCH = 500


class UploadQuotaExceeded(PayloadTooLarge):
    code = "upload_quota_exceeded"


def pending_quota(by: User) -> int:
    """Bytes ``by`` may keep uploaded but not yet sent (FRONTDESK_UPLOAD_PENDING_QUOTA_*)."""
    if by.is_customer:
        return int(settings.UPLOAD_PENDING_QUOTA_CUSTOMER_BYTES)
    return int(settings.UPLOAD_PENDING_QUOTA_BYTES)


def pending_bytes(by: User) -> int:
    """Bytes of ``by``'s uploads not yet part of a message (the partial index attachment_pending_idx)."""
    total = Attachment.objects.filter(uploaded_by_id=by.pk, message__isnull=True).aggregate(n=Sum("size"))["n"]
    return int(total or 0)


def _check_quota(by: User, incoming: int) -> None:
    quota, used = pending_quota(by), pending_bytes(by)
    if used + incoming > quota:
        raise UploadQuotaExceeded(
            f"Uploads not yet sent in a message may take up at most {quota} bytes; {used} bytes are "
            f"waiting and this upload is {incoming} bytes. Send them with a message or remove them "
            f"(unsent uploads are deleted {int(UNSENT_TTL.total_seconds() // 3600)} hours after upload).",
            fields={"files": f"at most {max(0, quota - used)} more bytes until you send what you uploaded"},
        )


def attachment_store(*, actor: Actor, ticket: Ticket, upload: Any) -> Attachment:
    """Store one uploaded file (a Django UploadedFile or any named binary file object) on ``ticket``,
    to be sent later with a message: counted against the uploader's quota until then."""
    return attachments_upload(actor=actor, ticket=ticket, uploads=[upload])[0]


def attachments_upload(*, actor: Actor, ticket: Ticket, uploads: list[Any]) -> list[Attachment]:
    """Store files on ``ticket`` to send later with a message, all or none: every file is checked
    (size, type) and the uploader's quota of unsent uploads with all of them before any is
    written; the quota is checked again under a lock of the uploader's row when the rows are
    inserted, so two uploads at once cannot both slip under it."""
    by = acting_user(actor)
    require_visible(by, ticket)
    if ticket.status_category == StatusCategory.CLOSED:
        raise Conflict(CLOSED_MESSAGE)
    prepared = [(_prepare(by=by, ticket=ticket, upload=u), u) for u in uploads]
    incoming = sum(a.size for (a, _ext), _u in prepared)
    if by is not None:
        _check_quota(by, incoming)  # before writing anything
    written: list[Attachment] = []
    try:
        for (attachment, ext), upload in prepared:
            _write(attachment, ext, upload)
            written.append(attachment)
        with transaction.atomic():
            if by is not None:
                list(User.objects.select_for_update().filter(pk=by.pk).values_list("pk", flat=True))
                _check_quota(by, incoming)
            for attachment in written:
                attachment.save()
    except BaseException:
        for attachment in written:
            _delete_file(attachment.file.name)
        raise
    return written


def _prepare(*, by: User | None, ticket: Ticket, upload: Any) -> tuple[Attachment, str]:
    """Check and type one file: the unsaved row (its file not yet written) and the extension."""
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
    attachment = Attachment(
        ticket=ticket,
        uploaded_by=by,
        filename=sanitise_filename(getattr(upload, "name", "")),
        content_type=ctype,
        size=size,
        sha256=digest.hexdigest(),
    )
    return attachment, ext


def _write(attachment: Attachment, ext: str, upload: Any) -> None:
    # the name on disk is random: nothing the client sent reaches the file system
    attachment.file.save(f"{uuid.uuid4().hex}{ext}", File(upload), save=False)


def store_file(*, by: User | None, ticket: Ticket, upload: Any, message: Message | None = None) -> Attachment:
    """Check, type and save one file sent with a message (no quota: it is attached at once), as
    ``message``'s when it is stored already; the caller has checked who may attach to ``ticket``."""
    attachment, ext = _prepare(by=by, ticket=ticket, upload=upload)
    attachment.message = message
    with service_atomic():  # no savepoint of its own inside an email batch's message
        _write(attachment, ext, upload)
        insert(attachment)  # SQL compiled once: every attachment of every email comes here
    return attachment


def attachment_remove(*, actor: Actor, attachment_id: int) -> None:
    """Delete one of ``by``'s own uploads that was not sent in a message yet (row and file)."""
    by = acting_person(actor)
    check_id(attachment_id, "Attachment")
    with transaction.atomic():
        attachment = (
            Attachment.objects.select_for_update().filter(pk=attachment_id, uploaded_by_id=by.pk).first()
        )
        visible = attachment is not None and policies.visible_tickets(
            by, Ticket.objects.filter(pk=attachment.ticket_id)
        ).exists()
        if attachment is None or not visible:
            raise NotFound("Attachment not found.")
        if attachment.message_id is not None:
            raise Conflict("The attachment was sent in a message and stays with it.", fields={"attachment": "sent"})
        name = attachment.file.name
        attachment.delete()
        transaction.on_commit(lambda: _delete_file(name))


def _delete_files(names: list[str]) -> None:
    for name in names:
        _delete_file(name)


def _delete_file(name: str | None) -> None:
    """Remove a stored file; one already gone is fine, another failure is logged (the row is gone:
    nothing would retry it)."""
    if not name:
        return
    try:
        with contextlib.suppress(FileNotFoundError):
            _storage().delete(name)
    except OSError:
        log.warning("attachment file %s could not be deleted", name, exc_info=True)


def _storage() -> Any:
    return Attachment._meta.get_field("file").storage  # type: ignore[attr-defined]


def attachments_sweep(*, now: datetime | None = None, batches: int = 20) -> int:
    """Delete uploads never sent in a message, ``UNSENT_TTL`` after their upload: rows, and their
    files once the deletion committed. A row that a message is taking at that moment is left alone:
    on PostgreSQL rows locked by ``attachments_collect`` are skipped, SQLite serialises the two
    writers, and the delete checks ``message IS NULL`` again. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - UNSENT_TTL
    deleted = 0
    for _ in range(batches):
        with transaction.atomic():
            rows = list(
                Attachment.objects.select_for_update(skip_locked=True)
                .filter(message__isnull=True, created_at__lt=cutoff)
                .order_by("created_at", "pk")
                .values_list("pk", "file")[:SWEEP_BATCH]
            )
            if not rows:
                break
            done = Attachment.objects.filter(pk__in=[pk for pk, _ in rows], message__isnull=True).delete()[0]
            names = [name for _, name in rows if name]
            transaction.on_commit(functools.partial(_delete_files, names))
        deleted += done
        if len(rows) < SWEEP_BATCH:
            break
    return deleted


def attachments_collect(
    *, actor: Actor, ticket: Ticket, items: list[Any] | None, message: Message
) -> list[Attachment]:
    """``message``'s attachments (it is stored already): uploaded files are stored as its; integer
    ids name attachments already uploaded to this ticket (by the same person) and not yet part of
    a message, which become its."""
    by = acting_user(actor)
    if not items:
        return []
    ids = [i for i in items if isinstance(i, int) and not isinstance(i, bool)]
    uploads = [i for i in items if not isinstance(i, int)]
    found: list[Attachment] = []
    if ids:
        qs = Attachment.objects.filter(pk__in=set(ids), ticket_id=ticket.pk, message__isnull=True)
        if by is not None:
            qs = qs.filter(uploaded_by_id=by.pk)
        found = list(qs.select_for_update())  # the sweep of unsent uploads skips what a message takes
        if len(found) != len(set(ids)):
            raise ValidationError(
                "Some attachments are unknown or already used.",
                fields={"attachments": "unknown attachment id"},
            )
    if found:
        Attachment.objects.filter(pk__in=[a.pk for a in found]).update(message=message)
        for attachment in found:
            attachment.message = message
    return found + [store_file(by=by, ticket=ticket, upload=u, message=message) for u in uploads]
