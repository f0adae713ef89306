"""Mail intake from IMAP servers: polling and IDLE.

Order matters for "never lost, never doubled": for each new UID the raw message is stored and
processed (committed) first, only then flagged \\Seen or moved, and only then the cursor advances.
A crash anywhere leaves the cursor behind; fetching again is harmless because storing is
idempotent per (mailbox, UIDVALIDITY, UID). Bodies are fetched with BODY.PEEK[] so the server
never marks a message seen before it is committed.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from datetime import timedelta

import imapclient
from django.db import close_old_connections
from django.utils import timezone

from frontdesk.channels.email.models import ImapCursor, Mailbox

logger = logging.getLogger(__name__)

BATCH = 25
TIMEOUT = 30.0


def connect(mailbox: Mailbox, *, timeout: float = TIMEOUT) -> imapclient.IMAPClient:
    """An IMAP connection to the mailbox's server, logged in."""
    client = imapclient.IMAPClient(mailbox.imap_host, port=mailbox.imap_port, ssl=mailbox.imap_ssl, timeout=timeout)
    try:
        client.login(mailbox.imap_user, mailbox.imap_password)
    except Exception:
        _close(client)
        raise
    return client


def _close(client: imapclient.IMAPClient) -> None:
    try:
        client.logout()
    except Exception:
        with contextlib.suppress(Exception):
            client.shutdown()


def poll_once(mailbox: Mailbox) -> int:
    """Fetch every message not yet taken from the mailbox's folder; the number taken."""
    client = connect(mailbox)
    try:
        return poll_with(client, mailbox)
    finally:
        _close(client)


def _cursor(mailbox: Mailbox, uidvalidity: int) -> ImapCursor:
    cursor, _ = ImapCursor.objects.get_or_create(mailbox=mailbox)
    if cursor.uidvalidity != uidvalidity:
        if cursor.uidvalidity is not None:
            logger.warning(
                "mailbox %s: UIDVALIDITY changed (%s -> %s), reading the folder again",
                mailbox.pk,
                cursor.uidvalidity,
                uidvalidity,
            )
        # Messages already taken come back under new UIDs: the pipeline drops them by Message-ID.
        cursor.uidvalidity = uidvalidity
        cursor.last_uid = 0
        cursor.save(update_fields=["uidvalidity", "last_uid", "updated_at"])
    return cursor


def poll_with(client: imapclient.IMAPClient, mailbox: Mailbox) -> int:
    """Poll on an open connection (the IDLE loop reuses its own)."""
    from frontdesk.channels.email.inbound import process_all, receive_raw

    info = client.select_folder(mailbox.imap_folder)
    _news(client)  # what the server said so far is covered by the search below
    uidvalidity = int(info[b"UIDVALIDITY"])
    first = not ImapCursor.objects.filter(mailbox=mailbox, uidvalidity__isnull=False).exists()
    cursor = _cursor(mailbox, uidvalidity)
    last = cursor.last_uid
    start_after = 0
    if first:
        # A mailbox's first poll takes what arrived since it was set up in Frontdesk (by day, a day
        # early: IMAP dates have no time) and older mail only while unread: connecting a mailbox
        # with years of read mail must not turn them into tickets. Later polls take everything new.
        # The highest UID is read first: mail arriving between the two searches is then above it
        # and is taken on the next poll, never skipped as old.
        since = mailbox.created_at.date() - timedelta(days=1)
        start_after = max(client.search(["ALL"]) or [0])
        uids = sorted(client.search(["OR", "UNSEEN", "SINCE", since]))
    else:
        # "n:*" always includes the highest UID, even when it is below n: filter.
        uids = sorted(uid for uid in client.search(["UID", f"{last + 1}:*"]) if uid > last)
    can_move = bool(mailbox.imap_move_to) and client.has_capability("MOVE")
    taken = 0
    for start in range(0, len(uids), BATCH):
        batch = uids[start : start + BATCH]
        fetched = client.fetch(batch, ["BODY.PEEK[]"])
        stored: list[int] = []
        for uid in batch:
            data = fetched.get(uid)
            if data is not None:  # (else expunged meanwhile)
                raw = data.get(b"BODY[]") or b""
                row = receive_raw(mailbox=mailbox, raw=raw, source="imap", imap_uidvalidity=uidvalidity, imap_uid=uid)
                stored.append(row.pk)
        process_all(stored)  # one transaction per batch of messages
        for uid in batch:
            # committed: now the server may forget about it
            if uid not in fetched:
                _advance(cursor, uid)
                continue
            if mailbox.imap_move_to:
                if can_move:
                    client.move([uid], mailbox.imap_move_to)
                else:
                    client.copy([uid], mailbox.imap_move_to)
                    client.delete_messages([uid])
                    if client.has_capability("UIDPLUS"):
                        client.uid_expunge([uid])
                    else:
                        client.expunge()
            else:
                client.add_flags([uid], [imapclient.SEEN])
            _advance(cursor, uid)
            taken += 1
    if start_after:
        _advance(cursor, start_after)  # the read mail left behind is not looked at again
    return taken


def _advance(cursor: ImapCursor, uid: int) -> None:
    # never backwards, even if two pollers of one mailbox overlap
    ImapCursor.objects.filter(pk=cursor.pk, uidvalidity=cursor.uidvalidity, last_uid__lt=uid).update(last_uid=uid)
    cursor.last_uid = max(cursor.last_uid, uid)


def imap_mailboxes():  # type: ignore[no-untyped-def]
    return Mailbox.objects.filter(active=True).exclude(imap_host="").order_by("pk")


def poll_all_once() -> int:
    """Poll every active IMAP mailbox once; one failing mailbox never stops the others."""
    total = 0
    for mailbox in imap_mailboxes():
        try:
            total += poll_once(mailbox)
        except Exception as exc:
            logger.exception("IMAP polling of mailbox %s (%s) failed", mailbox.pk, mailbox.address)
            record_poll(mailbox, exc)
        else:
            record_poll(mailbox)
    return total


def record_poll(mailbox: Mailbox, error: Exception | None = None) -> None:
    """When the mailbox was last polled and how it went, for `frontdesk check` and the admin."""
    reason = f"{type(error).__name__}: {error}"[:2000] if error is not None else ""
    ImapCursor.objects.update_or_create(mailbox=mailbox, defaults={"polled_at": timezone.now(), "poll_error": reason})


def watch(
    mailbox_id: int,
    *,
    stop: threading.Event | None = None,
    idle_seconds: float = 25 * 60,
    poll_seconds: float = 60.0,
    max_backoff: float = 300.0,
) -> None:
    """Long-running: keep a connection, poll on every IDLE wake-up (or every poll_seconds where
    the server has no IDLE), reconnect with exponential backoff after any failure. Returns when
    `stop` is set (checked about every second)."""
    stop = stop or threading.Event()
    backoff = 1.0
    while not stop.is_set():
        client = None
        failed = False
        try:
            close_old_connections()
            mailbox = Mailbox.objects.get(pk=mailbox_id)
            client = connect(mailbox)
            poll_with(client, mailbox)
            record_poll(mailbox)
            backoff = 1.0
            idle = client.has_capability("IDLE")
            while not stop.is_set():
                if _news(client):
                    pass  # announced while we were busy: poll again at once
                elif idle:
                    _idle_wait(client, stop, idle_seconds)
                elif stop.wait(poll_seconds):
                    break
                if stop.is_set():
                    break
                close_old_connections()
                mailbox.refresh_from_db()
                poll_with(client, mailbox)
                record_poll(mailbox)
        except Mailbox.DoesNotExist:
            logger.error("mailbox %s does not exist: stopping", mailbox_id)
            return
        except Exception as exc:
            failed = True
            with contextlib.suppress(Exception):
                record_poll(Mailbox.objects.get(pk=mailbox_id), exc)
            logger.warning("IMAP watch of mailbox %s: %s; reconnecting in %.0fs", mailbox_id, exc, backoff)
            if stop.wait(backoff):
                break
            backoff = min(backoff * 2, max_backoff)
        finally:
            if client is not None and failed:
                # After a failure the session may be mid-command (in IDLE, a LOGOUT is answered
                # "BAD Expected DONE" and its own reply never comes: a 30 s wait before the
                # reconnect, and mail waits with it). Drop the connection instead.
                with contextlib.suppress(Exception):
                    client.shutdown()
            elif client is not None:
                _close(client)


def _news(client: imapclient.IMAPClient) -> bool:
    """Whether the server announced new mail in answer to an earlier command (and forget it).

    Mail arriving while we flag or move is announced as an untagged EXISTS to that command;
    the server does not repeat it when IDLE starts, so without this check it would wait for
    the next arrival."""
    pending = getattr(getattr(client, "_imap", None), "untagged_responses", None)
    if not isinstance(pending, dict):
        return False
    found = False
    for key in ("EXISTS", "RECENT"):
        if pending.pop(key, None):
            found = True
    return found


def _idle_wait(client: imapclient.IMAPClient, stop: threading.Event, seconds: float) -> bool:
    """IDLE until the server says something (True), `seconds` pass (servers drop idlers after 30
    min) or `stop` is set (False)."""
    client.idle()
    try:
        deadline = time.monotonic() + seconds
        while not stop.is_set() and time.monotonic() < deadline:
            if _buffered(client) or client.idle_check(timeout=1):
                return True
        return False
    finally:
        client.idle_done()


def _buffered(client: imapclient.IMAPClient) -> bool:
    """Whether a server line already sits in the connection's read buffer.

    `idle_check` waits on the socket, but a notice sent in the same packet as the "+ idling"
    answer (Dovecot sends one at once when mail arrived just before IDLE) was read into the
    buffer with that answer: the socket stays quiet and the notice would wait for the server's
    next keep-alive, minutes away."""
    reader = getattr(getattr(client, "_imap", None), "file", None)
    peek = getattr(reader, "peek", None)
    if peek is None:
        return False
    sock = client.socket()
    timeout = sock.gettimeout()
    sock.setblocking(False)  # peek on an empty buffer tries one read: it must not wait
    try:
        return bool(peek(1))
    except OSError:
        return False
    finally:
        sock.settimeout(timeout)
