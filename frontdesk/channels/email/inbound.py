"""Public entry points of the inbound pipeline, called by IMAP polling, the LMTP listener,
the HTTP endpoint and ``frontdesk mail ingest``.

``receive_raw`` stores the bytes first (its own transaction); ``process_inbound`` turns them
into a ticket or a message, or marks them ignored/quarantined with a reason. Both are safe
to call again for the same message.
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.db.models import F, QuerySet
from django.utils import timezone

from frontdesk.accounts.models import User
from frontdesk.channels.email.models import InboundEmail, InboundStatus, Mailbox
from frontdesk.channels.email.pipeline.receive import process_all, process_batch, process_inbound, reprocess
from frontdesk.channels.email.pipeline.store import store_raw
from frontdesk.core.errors import NotFound, ValidationError
from frontdesk.core.ids import check_id
from frontdesk.core.reads import read_one
from frontdesk.tickets import policies

# store the raw bytes (an IMAP (mailbox, UIDVALIDITY, UID) already stored returns its row)
receive_raw = store_raw


def receive(*, mailbox: Mailbox | None, raw: bytes, source: str) -> InboundEmail:
    """Store then process (for callers without a queue)."""
    return process_inbound(receive_raw(mailbox=mailbox, raw=raw, source=source).pk)


STUCK_AFTER = timedelta(minutes=2)
MAX_SWEEPS = 3  # a stored message the sweep took this often without an outcome stopped its worker each time


def process_stuck(*, older_than: timedelta = STUCK_AFTER, limit: int = 500) -> int:
    """Process stored messages still waiting after ``older_than``: their receiver crashed (or its
    machine stopped) between storing and processing. Oldest first; returns how many were taken.
    A message some worker is processing right now is skipped (it holds the row) and left to it.

    A message can itself be what stops its worker (a crash, the memory limit, a kill on a
    timeout), and then it would be retried, and stop the worker, forever, holding back every
    message processed beside it. So the sweep counts its try in its own committed write first,
    processes stuck messages one at a time, and quarantines a message it has taken
    ``MAX_SWEEPS`` times without an outcome, with that reason, for an administrator to look at."""
    cutoff = timezone.now() - older_than
    ids = list(
        InboundEmail.objects.filter(status=InboundStatus.RECEIVED, received_at__lt=cutoff)
        .order_by("received_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        waiting = InboundEmail.objects.filter(pk=pk, status=InboundStatus.RECEIVED)
        # a received row's attempts are the sweep's tries: a try that ended rolled its own count back
        tries = waiting.values_list("attempts", flat=True).first()
        if tries is None:
            continue  # processed meanwhile
        if tries >= MAX_SWEEPS:
            waiting.update(
                status=InboundStatus.QUARANTINED, processed_at=timezone.now(),
                reason=f"stopped: processing it stopped the worker {tries} times (a crash, a kill or a timeout)",
            )
            continue
        waiting.update(attempts=F("attempts") + 1)  # committed before the try: a try that kills the worker counts
        process_all([pk])
    return len(ids)


def inbound_get(viewer: User, inbound_id: int) -> InboundEmail:
    """A stored message: admins see every one; agents those whose ticket they can see (the ticket
    its message is on now, after a merge or a split; else the ticket it opened or joined)."""
    check_id(inbound_id, "Message")
    row = InboundEmail.objects.select_related("ticket", "message__ticket").filter(pk=inbound_id).first()
    if row is None or not viewer.is_active or not viewer.is_agent:
        raise NotFound("Message not found.")
    ticket = row.message.ticket if row.message is not None else row.ticket
    if viewer.is_admin or (ticket is not None and policies.can_view(viewer, ticket)):
        return row
    raise NotFound("Message not found.")


def quarantine_list(viewer: User, status: str = InboundStatus.QUARANTINED) -> QuerySet[InboundEmail]:
    """Quarantined messages (or, with ``status="ignored"``, the ignored ones), for admins."""
    if not viewer.is_active or not viewer.is_admin:
        raise NotFound("Not found.")
    if status not in (InboundStatus.QUARANTINED, InboundStatus.IGNORED):
        raise ValidationError("Only quarantined or ignored messages are listed.", fields={"status": "unknown"})
    return InboundEmail.objects.filter(status=status).select_related("mailbox")


def mailbox_for_secret(mailbox_id: int, secret: str) -> Mailbox:
    """The active mailbox whose inbound secret is ``secret`` (compared in constant time), else NotFound."""
    check_id(mailbox_id, "Mailbox")
    # on every inbound request: SQL compiled once, the passwords not read
    mailbox = read_one(Mailbox, '"id" = %s AND "active"', [mailbox_id], defer=("imap_password", "smtp_password"))
    expected = mailbox.inbound_secret if mailbox is not None else "-" * 43
    matches = hmac.compare_digest(expected.encode(), (secret or "").encode())
    if mailbox is None or not matches or not secret:
        raise NotFound("Mailbox not found.")
    return mailbox


__all__ = [
    "inbound_get",
    "mailbox_for_secret",
    "process_inbound",
    "process_stuck",
    "quarantine_list",
    "receive",
    "receive_raw",
    "process_all",
    "process_batch",
    "reprocess",
]
