"""The built-in LMTP (or SMTP) receiver, for sites whose MTA delivers to us (`frontdesk mail listen`).

Each recipient is checked at RCPT (550 for an address that is no mailbox of ours; a plus-address
such as a reply token counts as its mailbox). At DATA the raw message is stored once per
accepted recipient before that recipient is answered 250, so a crash after 250 never loses mail;
LMTP answers once per recipient (RFC 2033), SMTP once for all. The pipeline processes stored
messages behind the answers, in batches (``intake``).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from django.db import close_old_connections
from django.db.models import Max

from frontdesk.channels.email.mailboxes import recipient_mailbox
from frontdesk.channels.email.models import Mailbox

logger = logging.getLogger(__name__)

DEFAULT_LIMIT = 25 * 1024 * 1024


def _store(mailbox_id: int, raw: bytes, source: str) -> int:
    """Store one copy (committed) and hand it to the intake; the id of the stored message."""
    from frontdesk.channels.email.inbound import receive_raw
    from frontdesk.channels.email.intake import intake

    close_old_connections()
    try:
        # by id: RCPT found the mailbox active a moment ago (one gone since fails the insert: 451)
        inbound = receive_raw(mailbox=mailbox_id, raw=raw, source=source)
        try:
            intake.submit(inbound)  # never raises; stored mail is retried by the sweep anyway
        except Exception:
            logger.exception("processing inbound %s failed; it stays stored", inbound.pk)
        return int(inbound.pk)
    finally:
        close_old_connections()


def _lookup(address: str) -> tuple[int, int] | None:
    close_old_connections()
    try:
        return recipient_mailbox(address)  # cached: no query for a mailbox's own address
    finally:
        close_old_connections()


class Handler:
    def __init__(self, *, lmtp: bool) -> None:
        self.lmtp = lmtp

    async def handle_RCPT(self, server: SMTP, session: Any, envelope: Any, address: str, rcpt_options: list) -> str:
        found = await asyncio.to_thread(_lookup, address)
        if found is None:
            return "550 5.1.1 No such mailbox here"
        if not hasattr(envelope, "frontdesk_targets"):
            envelope.frontdesk_targets = []
        envelope.frontdesk_targets.append(found)
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):  # pragma: no cover - aiosmtpd always keeps bytes
            raw = raw.encode("utf-8", "surrogateescape")
        source = "lmtp" if self.lmtp else "smtp"
        replies = []
        for mailbox_id, limit in getattr(envelope, "frontdesk_targets", []):
            if len(raw) > limit:
                replies.append("552 5.3.4 Message too big for this mailbox")
                continue
            try:
                await asyncio.to_thread(_store, mailbox_id, raw, source)
            except Exception:
                logger.exception("storing a %s message for mailbox %s failed", source, mailbox_id)
                replies.append("451 4.3.0 Could not store the message, try again later")
            else:
                replies.append("250 2.0.0 Stored")
        if self.lmtp:
            return "\r\n".join(replies)
        # SMTP has one answer for all recipients: only "stored" if every copy was stored
        for code in ("451", "552"):
            bad = [r for r in replies if r.startswith(code)]
            if bad:
                return bad[0]
        return "250 2.0.0 Stored"


class _Controller(Controller):
    def __init__(self, handler: Handler, *, lmtp: bool, **kwargs: Any) -> None:
        self._lmtp = lmtp
        super().__init__(handler, **kwargs)

    def factory(self) -> SMTP:
        cls = LMTP if self._lmtp else SMTP
        return cls(self.handler, **self.SMTP_kwargs)


def size_limit() -> int:
    largest = Mailbox.objects.filter(active=True).aggregate(m=Max("max_message_bytes"))["m"]
    return int(largest or DEFAULT_LIMIT)


def start(host: str, port: int, *, lmtp: bool = True, data_size_limit: int | None = None) -> Controller:
    """Start the receiver in a background thread; `controller.stop()` ends it."""
    limit = data_size_limit if data_size_limit is not None else size_limit()
    close_old_connections()
    controller = _Controller(
        Handler(lmtp=lmtp), lmtp=lmtp, hostname=host, port=port, data_size_limit=limit, ready_timeout=10
    )
    controller.start()
    return controller


def serve(host: str, port: int, *, lmtp: bool = True, stop: threading.Event | None = None) -> None:
    """Receive mail until `stop` is set (or the process is interrupted)."""
    from frontdesk.channels.email.intake import intake

    stop = stop or threading.Event()
    intake.start()  # a child process that processes what is stored is ready before the first message
    controller = start(host, port, lmtp=lmtp)
    logger.info("%s receiver listening on %s:%s", "LMTP" if lmtp else "SMTP", host, port)
    try:
        while not stop.wait(1):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
        intake.drain()  # what was acknowledged is processed before a clean stop
