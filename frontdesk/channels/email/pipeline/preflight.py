"""Step 1: refuse what must not become a ticket, before parsing the body.

Each check raises ``Ignore(reason)`` (expected: duplicates, our own mail, machine mail) or
``Quarantine(reason)`` (an admin should look: too large, a burst). Bounces are recognised
here and handled by ``bounce.py``.

Machine mail (``check_machine``) is ignored whether or not it would thread into a ticket: an
out-of-office must not reopen a ticket, restart its clock or notify anyone, and list mail is noise.
It is listed under Ignored with its reason, where an administrator can process it anyway.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from frontdesk.channels.email.addresses import is_bounce_sender, is_our_address
from frontdesk.channels.email.models import EmailReference, InboundEmail, InboundStatus
from frontdesk.channels.email.pipeline.sender import address_key
from frontdesk.customers.models import Identity


class Refused(Exception):  # noqa: N818 - a decision, not an error
    status = InboundStatus.IGNORED

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Ignore(Refused):
    status = InboundStatus.IGNORED


class Quarantine(Refused):
    status = InboundStatus.QUARANTINED


def _h(msg: EmailMessage, name: str) -> str:
    from frontdesk.channels.email.pipeline.parse import header

    return header(msg, name).strip().lower()


def is_bounce(msg: EmailMessage, sender: str) -> bool:
    report = msg.get_content_type() == "multipart/report" and "delivery-status" in _h(msg, "Content-Type")
    return report or is_bounce_sender(sender)


def check_size(inbound: InboundEmail) -> None:
    if inbound.mailbox is not None and inbound.size > inbound.mailbox.max_message_bytes:
        raise Quarantine(f"too large: {inbound.size} bytes, the mailbox accepts {inbound.mailbox.max_message_bytes}")


def _lock_key(header_id: str) -> int:
    key = f"frontdesk-inbound:{header_id}".encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big", signed=True)


def lock_message_ids(header_ids: Iterable[str]) -> None:
    """On PostgreSQL, serialise workers holding the same Message-ID until commit, so the second
    one sees the first one's processed row (released at commit). A batch takes the locks of all its
    Message-IDs in one statement, in key order, before any other lock, so two batches never wait
    for each other in a circle. SQLite has one writer at a time."""
    keys = sorted({_lock_key(h) for h in header_ids if h})
    if connection.vendor != "postgresql" or not keys:
        return
    with connection.cursor() as cursor:
        # volatile functions in the select list run after the sort: the locks are taken in key order
        cursor.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k ORDER BY k", [keys])


@dataclass(frozen=True)
class Seen:
    """What the database knows about a message, read in one query (see ``look_up``)."""

    duplicate: bool  # the same Message-ID from the same sender was already processed (by any mailbox)
    sent_by_us: bool  # its Message-ID is one we sent
    recent_from_sender: int  # messages from its sender within the burst window (at most the limit)
    sender_undeliverable: bool = False  # its sender's address is flagged undeliverable (after a bounce)


def _burst() -> tuple[int, int]:
    return int(getattr(settings, "EMAIL_BURST_LIMIT", 20)), int(getattr(settings, "EMAIL_BURST_WINDOW_MINUTES", 10))


_INBOX, _REFS, _IDENTS = InboundEmail._meta.db_table, EmailReference._meta.db_table, Identity._meta.db_table
# one message sent to two of our addresses (To: support@, Cc: billing@) arrives twice: the same
# Message-ID from the same sender is one message, whichever mailbox it came through
_FACTS = (
    "SELECT v.pk,"  # noqa: S608 - table names are constants
    f" EXISTS (SELECT 1 FROM {_INBOX} AS i WHERE i.header_id = v.hid AND v.hid <> '' AND i.status = %s"
    " AND i.sender = v.sender AND i.id <> v.pk),"
    f" EXISTS (SELECT 1 FROM {_REFS} AS r WHERE r.header_id = v.hid AND v.hid <> '' AND r.outgoing),"
    f" (SELECT COUNT(*) FROM (SELECT 1 FROM {_INBOX} AS i WHERE i.sender_key = v.skey AND v.skey <> ''"
    " AND i.received_at >= %s AND i.id <> v.pk LIMIT %s) AS recent),"
    f" EXISTS (SELECT 1 FROM {_IDENTS} AS d WHERE d.kind = 'email' AND d.value = v.sender AND d.undeliverable)"
    " FROM v"
)


def look_up_many(messages: list[tuple[InboundEmail, str]]) -> dict[int, Seen]:
    """``look_up`` for many (row, sender) pairs in one query, by row id. The caller takes their
    Message-IDs' locks first (``lock_message_ids``), and knows what its own batch processed
    since (the query sees the database as the batch began). The messages are one list of values
    that the query's four look-ups read per row: PostgreSQL plans them once, not once per message
    (planning a hundred copies of them cost more than running them)."""
    if not messages:
        return {}
    limit, minutes = _burst()
    since = connection.ops.adapt_datetimefield_value(timezone.now() - timedelta(minutes=minutes))
    params: list[Any] = []
    for inbound, sender in messages:
        params += [inbound.pk, inbound.header_id, sender, inbound.sender_key or address_key(sender)]
    values = ", ".join(["(%s, %s, %s, %s)"] * len(messages))
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH v (pk, hid, sender, skey) AS (VALUES {values}) {_FACTS}",  # noqa: S608 - placeholders only
            [*params, InboundStatus.PROCESSED, since, limit],
        )
        rows = cursor.fetchall()
    return {
        int(pk): Seen(
            duplicate=bool(duplicate), sent_by_us=bool(ours), recent_from_sender=int(recent),
            sender_undeliverable=bool(undeliverable),
        )
        for pk, duplicate, ours, recent, undeliverable in rows
    }


def answering_earlier(answers: dict[int, list[str]], batch: list[int]) -> dict[int, list[int]]:
    """Of the rows ``answers`` names (row id → the Message-IDs it answers, ``threading.answered_ids``),
    those that answer a message stored before them and not processed yet, outside the
    ``batch`` they are in: another batch (another intake process, another node) is processing it
    now, or will. Threaded now, such a reply would miss the ticket that message opens when it
    commits, and open one of its own; its caller waits for it instead. By row id: the ids of the
    rows it waits for. One query for all the rows; a message that answers one stored after it is
    never made to wait (no two messages wait for each other)."""
    wanted = sorted({h for ids in answers.values() for h in ids if h})
    if not wanted:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT header_id, id FROM {_INBOX} WHERE header_id IN ({', '.join(['%s'] * len(wanted))})"  # noqa: S608
            f" AND status = %s AND id NOT IN ({', '.join(['%s'] * len(batch))})",
            [*wanted, InboundStatus.RECEIVED, *batch],
        )
        stored: dict[str, list[int]] = {}
        for header_id, pk in cursor.fetchall():
            stored.setdefault(header_id, []).append(int(pk))
    waiting = {pk: sorted({e for h in ids for e in stored.get(h, ()) if e < pk})
               for pk, ids in answers.items()}
    return {pk: earlier for pk, earlier in waiting.items() if earlier}

def look_up(inbound: InboundEmail, sender: str) -> Seen:
    """Duplicate, own Message-ID, burst and undeliverable-sender facts in one query, after taking the Message-ID's lock
    (so a second worker holding the same Message-ID sees the first one's processed row). Bursts
    count every message stored from the sender's address key (its plus-variants are one sender)."""
    lock_message_ids([inbound.header_id])
    return look_up_many([(inbound, sender)])[inbound.pk]


def check_duplicate(seen: Seen) -> None:
    if seen.duplicate:
        raise Ignore("duplicate: this Message-ID was already processed")


def check_own_mail(sender: str, own: frozenset[str], seen: Seen) -> None:
    """Mail from one of our mailboxes' addresses (``own``, lower-case) or any plus-variant of one
    (``support+anything@``), or carrying a Message-ID we sent, is our own mail coming back."""
    if is_our_address(sender, own):
        raise Ignore("own mail: sent from one of our mailboxes")
    if seen.sent_by_us:
        raise Ignore("own mail: a Message-ID we sent")


# vendors' auto-reply markers (Exchange, Yahoo, cPanel, vacation programs); "no" and the like say it is not one
AUTO_REPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoreply-From", "X-Mail-Autoreply", "X-Autogenerated")
_NOT_AUTO = ("", "no", "false", "0", "none")
# RFC 2369 and RFC 2919: mail that a list (or a bulk sender) distributed
LIST_HEADERS = ("List-Id", "List-Unsubscribe", "List-Post", "List-Help", "List-Subscribe", "List-Owner", "List-Archive")


def machine_reason(msg: EmailMessage) -> str:
    """Why the message is machine mail ('' when it is a person's): an automatic reply (RFC 3834
    ``Auto-Submitted`` other than ``no``, a vendor's auto-reply header, ``Precedence: auto_reply``),
    bulk or list mail (``Precedence: bulk/junk/list``, any ``List-*`` header), or a null sender
    (``Return-Path: <>``, which only bounces and automatic replies carry; the topmost one, written
    by the delivering server, counts). ``X-Auto-Response-Suppress`` is not one: Exchange and
    Outlook put it on ordinary mail from people (it opens a ticket, without an acknowledgement)."""
    auto = _h(msg, "Auto-Submitted")
    if auto and auto.split(";")[0].strip() != "no":
        return f"auto-submitted: {auto[:100]}"
    for name in AUTO_REPLY_HEADERS:
        value = _h(msg, name)
        if value not in _NOT_AUTO:
            return f"auto-reply: {name}: {value[:100]}"
    precedence = _h(msg, "Precedence")
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"precedence: {precedence}"
    for name in LIST_HEADERS:
        if name in msg:
            return f"list mail: {name}: {_h(msg, name)[:100]}"
    if "Return-Path" in msg and "".join(_h(msg, "Return-Path").split()) == "<>":
        return "null sender: Return-Path <>"
    return ""


def check_machine(msg: EmailMessage) -> None:
    reason = machine_reason(msg)
    if reason:
        raise Ignore(reason)


def check_burst(sender: str, seen: Seen) -> None:
    limit, minutes = _burst()
    if sender and seen.recent_from_sender >= limit:
        raise Quarantine(f"burst: more than {limit} messages from {sender} in {minutes} minutes")
