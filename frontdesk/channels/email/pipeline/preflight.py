"""Step 1: refuse what must not become a ticket, before parsing the body.

Each check raises ``Ignore(reason)`` (expected: duplicates, our own mail, machine mail) or
``Quarantine(reason)`` (an admin should look: too large, a burst). Bounces are recognised
here and handled by ``bounce.py``.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from email.message import EmailMessage

from django.conf import settings
from django.db import connection
from django.utils import timezone

from frontdesk.channels.email.models import EmailReference, InboundEmail, InboundStatus, Mailbox


class Refused(Exception):  # noqa: N818 - a decision, not an error
    status = InboundStatus.IGNORED

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Ignore(Refused):
    status = InboundStatus.IGNORED


class Quarantine(Refused):
    status = InboundStatus.QUARANTINED


MACHINE_LOCALS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon")


def _h(msg: EmailMessage, name: str) -> str:
    from frontdesk.channels.email.pipeline.parse import header

    return header(msg, name).strip().lower()


def is_bounce(msg: EmailMessage, sender: str) -> bool:
    report = msg.get_content_type() == "multipart/report" and "delivery-status" in _h(msg, "Content-Type")
    return report or sender.partition("@")[0] in MACHINE_LOCALS


def check_size(inbound: InboundEmail) -> None:
    if inbound.mailbox is not None and inbound.size > inbound.mailbox.max_message_bytes:
        raise Quarantine(f"too large: {inbound.size} bytes, the mailbox accepts {inbound.mailbox.max_message_bytes}")


def _lock_message_id(inbound: InboundEmail) -> None:
    """On PostgreSQL, serialise workers holding the same Message-ID for the same mailbox until
    commit, so the second one sees the first one's processed row (released at commit)."""
    if connection.vendor != "postgresql":
        return  # SQLite has one writer at a time
    key = f"frontdesk-inbound:{inbound.mailbox_id}:{inbound.header_id}".encode()
    lock_id = int.from_bytes(hashlib.sha256(key).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


def check_duplicate(inbound: InboundEmail) -> None:
    if not inbound.header_id:
        return
    _lock_message_id(inbound)
    seen = InboundEmail.objects.filter(header_id=inbound.header_id, status=InboundStatus.PROCESSED)
    seen = seen.filter(mailbox__isnull=True) if inbound.mailbox_id is None else seen.filter(mailbox=inbound.mailbox_id)
    seen = seen.exclude(pk=inbound.pk)
    if seen.exists():
        raise Ignore("duplicate: this Message-ID was already processed")


def check_own_mail(inbound: InboundEmail, sender: str, own: frozenset[str] | None = None) -> None:
    """Mail from one of our mailboxes' addresses (``own``, lower-case), or carrying a Message-ID we
    sent, is our own mail coming back."""
    if sender:
        ours = sender.lower() in own if own is not None else Mailbox.objects.filter(address__iexact=sender).exists()
        if ours:
            raise Ignore("own mail: sent from one of our mailboxes")
    if inbound.header_id and EmailReference.objects.filter(header_id=inbound.header_id, outgoing=True).exists():
        raise Ignore("own mail: a Message-ID we sent")


def check_machine(msg: EmailMessage) -> None:
    auto = _h(msg, "Auto-Submitted")
    if auto and auto.split(";")[0].strip() != "no":
        raise Ignore(f"auto-submitted: {auto[:100]}")
    precedence = _h(msg, "Precedence")
    if precedence in ("bulk", "junk", "list"):
        raise Ignore(f"precedence: {precedence}")
    if _h(msg, "X-Auto-Response-Suppress") not in ("", "none"):
        raise Ignore("auto-response: X-Auto-Response-Suppress")


def check_burst(inbound: InboundEmail, sender: str) -> None:
    if not sender:
        return
    limit = getattr(settings, "EMAIL_BURST_LIMIT", 20)
    minutes = getattr(settings, "EMAIL_BURST_WINDOW_MINUTES", 10)
    since = timezone.now() - timedelta(minutes=minutes)
    recent = InboundEmail.objects.filter(sender=sender, received_at__gte=since).exclude(pk=inbound.pk)
    if recent.count() >= limit:
        raise Quarantine(f"burst: more than {limit} messages from {sender} in {minutes} minutes")
