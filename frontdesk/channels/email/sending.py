"""The SMTP sender: delivers OutboundEmail rows through each mailbox's SMTP server.

Claiming. A worker claims a row with one conditional UPDATE (attempts + 1, next_attempt_at
pushed a lease into the future) that only matches a due pending/failed row, and commits it
before talking to the server. Of two workers only one matches (PostgreSQL re-checks the
condition after the row lock; SQLite serialises writers), and no database lock is held while
the SMTP conversation runs. After the send the row is marked sent (or failed with backoff).

A worker that dies mid-send leaves the row claimed: it becomes due again when the lease runs
out and is retried then. The remaining at-least-once window: the server accepted the message
(end of DATA) and the worker died, or the database failed, before the row was marked sent;
that message is sent a second time after the lease. Receivers drop it as a duplicate by its
unchanged Message-ID in most cases.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email import encoders
from email.mime.base import MIMEBase
from email.utils import formataddr

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F
from django.utils import timezone

from frontdesk.channels.email.models import Mailbox, OutboundEmail, OutboundStatus
from frontdesk.channels.email.outbound import KIND_REPLY, attachments_split
from frontdesk.channels.email.tokens import reply_address

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
LEASE = timedelta(minutes=5)  # far above the SMTP timeout: a live send never outlasts it
SMTP_TIMEOUT = 10
_DUE = (OutboundStatus.PENDING, OutboundStatus.FAILED)


def backoff(attempts: int) -> timedelta:
    """30 s × 2^(n-1) after the n-th failed attempt, at most one hour."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def connection_for(mailbox: Mailbox):  # type: ignore[no-untyped-def]
    """Django's SMTP backend with the mailbox's server settings; the site's default
    EMAIL_BACKEND when the mailbox has no SMTP host of its own."""
    if not mailbox.smtp_host:
        return get_connection(fail_silently=False)
    return get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host=mailbox.smtp_host,
        port=mailbox.smtp_port,
        username=mailbox.smtp_user or None,
        password=mailbox.smtp_password or None,
        use_tls=mailbox.smtp_starttls and not mailbox.smtp_ssl,
        use_ssl=mailbox.smtp_ssl,
        timeout=SMTP_TIMEOUT,
        fail_silently=False,
    )


def build_message(row: OutboundEmail) -> EmailMultiAlternatives:
    mailbox = row.mailbox
    headers = {"Message-ID": f"<{row.header_id}>"}
    if row.in_reply_to:
        headers["In-Reply-To"] = f"<{row.in_reply_to}>"
    if row.references:
        headers["References"] = row.references
    if row.auto_submitted:
        headers["Auto-Submitted"] = "auto-replied"
        headers["X-Auto-Response-Suppress"] = "All"
    sender_name = row.ticket.brand.name if row.ticket_id else mailbox.name
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=formataddr((sender_name, mailbox.address)),
        to=list(row.to),
        cc=list(row.cc),
        reply_to=[reply_address(mailbox.address, row.ticket_id)],
        headers=headers,
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    if row.kind == KIND_REPLY:
        _attach_files(message, row)
    return message


def _attach_files(message: EmailMultiAlternatives, row: OutboundEmail) -> None:
    """The reply's attachments, read from storage now (those over the size cap were named in
    the body when the row was written). A file gone from storage is left out with a warning
    rather than holding the reply back forever; other read errors fail the attempt, which is
    retried."""
    attached, _left_out = attachments_split(row.message_id)
    for attachment in attached:
        try:
            with attachment.file.storage.open(str(attachment.file.name), "rb") as fh:
                content = fh.read()
        except FileNotFoundError:
            log.warning("outbound email %s: attachment %s is missing from storage", row.pk, attachment.pk)
            continue
        message.attach(file_part(attachment.filename or "attachment", content, attachment.content_type))


def file_part(filename: str, content: bytes, content_type: str) -> MIMEBase:
    """One attachment, base64 so its bytes arrive exactly as stored (Django would decode text
    files and let their line endings be rewritten)."""
    maintype, _, subtype = (content_type or "").partition("/")
    if not maintype or not subtype or maintype in ("message", "multipart"):
        maintype, subtype = "application", "octet-stream"  # never a structured part
    part = MIMEBase(maintype, subtype)
    if maintype == "text":
        part.set_param("charset", "utf-8")
    part.set_payload(content)
    encoders.encode_base64(part)
    name: str | tuple[str, str, str] = filename if filename.isascii() else ("utf-8", "", filename)
    part.add_header("Content-Disposition", "attachment", filename=name)
    return part


def _claim(outbound_id: int, now: datetime) -> bool:
    return (
        OutboundEmail.objects.filter(pk=outbound_id, status__in=_DUE, next_attempt_at__lte=now)
        .update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
        == 1
    )


def send_one(outbound_id: int) -> bool:
    """Send one row if it is due and no other worker holds it. True when it was sent now."""
    now = timezone.now()
    if not _claim(outbound_id, now):
        return False
    row = OutboundEmail.objects.select_related("mailbox", "ticket__brand").get(pk=outbound_id)
    try:
        message = build_message(row)
        with connection_for(row.mailbox) as connection:
            message.connection = connection
            message.send(fail_silently=False)
    except Exception as exc:
        _failed(row, exc)
        return False
    OutboundEmail.objects.filter(pk=row.pk).update(
        status=OutboundStatus.SENT, sent_at=timezone.now(), last_error="", next_attempt_at=timezone.now()
    )
    return True


def _failed(row: OutboundEmail, exc: Exception) -> None:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    log.warning("outbound email %s failed (attempt %s): %s", row.pk, row.attempts, error)
    changes: dict[str, object]
    if row.attempts >= MAX_ATTEMPTS:
        changes = {"status": OutboundStatus.DEAD, "last_error": error}
    else:
        changes = {
            "status": OutboundStatus.FAILED,
            "last_error": error,
            "next_attempt_at": timezone.now() + backoff(row.attempts),
        }
    OutboundEmail.objects.filter(pk=row.pk).update(**changes)


def send_due(limit: int = 50) -> int:
    """Send rows that are due (new, or failed and past their backoff). Returns how many went."""
    ids = list(
        OutboundEmail.objects.filter(status__in=_DUE, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if send_one(pk))
