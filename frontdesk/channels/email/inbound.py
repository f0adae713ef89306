"""Public entry points of the inbound pipeline, called by IMAP polling, the LMTP listener,
the HTTP endpoint and ``frontdesk mail ingest``.

``receive_raw`` stores the bytes first (its own transaction); ``process_inbound`` turns them
into a ticket or a message, or marks them ignored/quarantined with a reason. Both are safe
to call again for the same message.
"""

from __future__ import annotations

from frontdesk.channels.email.models import InboundEmail, Mailbox
from frontdesk.channels.email.pipeline.receive import process_inbound, reprocess
from frontdesk.channels.email.pipeline.store import store_raw


def receive_raw(
    *,
    mailbox: Mailbox | None,
    raw: bytes,
    source: str,
    imap_uidvalidity: int | None = None,
    imap_uid: int | None = None,
) -> InboundEmail:
    """Store a raw message; an IMAP (mailbox, UIDVALIDITY, UID) already stored returns its row."""
    return store_raw(mailbox=mailbox, raw=raw, source=source, imap_uidvalidity=imap_uidvalidity, imap_uid=imap_uid)


def receive(*, mailbox: Mailbox | None, raw: bytes, source: str) -> InboundEmail:
    """Store then process (for callers without a queue)."""
    return process_inbound(receive_raw(mailbox=mailbox, raw=raw, source=source).pk)


__all__ = ["process_inbound", "receive", "receive_raw", "reprocess"]
