"""`frontdesk mail import`: a mailbox's history (a Maildir, an mbox file, or a folder of .eml files)
brought into Frontdesk through the same pipeline as live mail.

Each message is stored first (source ``import``) and then processed: threading, customers,
quarantine and the audit trail are the live pipeline's. What differs for a history: tickets and
messages keep the Date they were written, no acknowledgement is sent, and many messages from one
sender are not a burst. Each message counts once: a message whose bytes were imported before is
not stored again (so an interrupted import is run again to finish it, and a message stored but
not yet processed when it stopped is processed then), and two copies of one Message-ID from one
sender are the pipeline's duplicate (ignored).
"""

from __future__ import annotations

import hashlib
import mailbox as stdlib_mailbox
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from frontdesk.channels.email.models import IMPORTED, InboundEmail, InboundStatus, Mailbox
from frontdesk.channels.email.pipeline.receive import process_inbound
from frontdesk.channels.email.pipeline.store import store_raw
from frontdesk.tickets.models import Message


@dataclass
class ImportReport:
    kind: str = ""  # maildir, mbox, eml
    found: int = 0
    created: int = 0  # opened a ticket
    threaded: int = 0  # added to a ticket
    ignored: int = 0  # duplicates, our own mail, machine mail, bounces
    quarantined: int = 0
    already: int = 0  # imported before (an earlier run)
    failed: int = 0  # stored, but processing failed: the worker's sweep processes it later
    reasons: Counter[str] = field(default_factory=Counter)  # why messages were ignored or quarantined

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "reasons"} | {"reasons": dict(self.reasons)}


def _source(path: Path) -> tuple[str, list[Callable[[], bytes]]]:
    """What ``path`` holds, and a reader for each message in a stable order."""
    if path.is_dir() and all((path / d).is_dir() for d in ("cur", "new", "tmp")):
        box = stdlib_mailbox.Maildir(str(path), factory=None, create=False)
        return "maildir", [partial(box.get_bytes, key) for key in sorted(box.iterkeys())]
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.eml") if p.is_file())
        return "eml", [p.read_bytes for p in files]
    if path.is_file():
        mbox = stdlib_mailbox.mbox(str(path), factory=None, create=False)
        return "mbox", [partial(mbox.get_bytes, key) for key in mbox.iterkeys()]
    raise FileNotFoundError(f"{path}: no such Maildir, mbox file or folder")


def _outcome(row: InboundEmail) -> str:
    if row.status == InboundStatus.PROCESSED and row.ticket_id is not None:
        first = Message.objects.filter(ticket_id=row.ticket_id).order_by("pk").values_list("pk", flat=True).first()
        return "created" if first == row.message_id else "threaded"
    outcomes = {str(InboundStatus.IGNORED): "ignored", str(InboundStatus.QUARANTINED): "quarantined"}
    return outcomes.get(str(row.status), "failed")


def messages_at(path: Path) -> tuple[str, int, Iterator[bytes]]:
    kind, readers = _source(path)
    return kind, len(readers), (read() for read in readers)


def import_mail(
    *, path: Path, mailbox: Mailbox | None, on_message: Callable[[str], None] | None = None
) -> ImportReport:
    """Import every message at ``path`` into ``mailbox`` (None: the brand's default); ``on_message``
    hears each message's outcome (a progress bar)."""
    kind, count, raws = messages_at(path)
    report = ImportReport(kind=kind, found=count)
    seen = {sha: (pk, status) for pk, sha, status in
            InboundEmail.objects.filter(source=IMPORTED).values_list("pk", "sha256", "status")}
    for raw in raws:
        sha = hashlib.sha256(raw).hexdigest()
        known = seen.get(sha)
        if known is not None and known[1] != InboundStatus.RECEIVED:
            outcome = "already"
        elif not raw.strip():
            outcome = "ignored"
            report.reasons["empty message"] += 1
        else:
            pk = known[0] if known is not None else store_raw(mailbox=mailbox, raw=raw, source=IMPORTED).pk
            seen[sha] = (pk, InboundStatus.RECEIVED)
            try:
                row = process_inbound(pk)
            except Exception:  # noqa: BLE001 - stored: the sweep (or the next run) processes it
                outcome = "failed"
            else:
                seen[sha] = (pk, row.status)
                outcome = _outcome(row)
                if outcome in ("ignored", "quarantined"):
                    report.reasons[row.reason.split(":")[0] or outcome] += 1
        setattr(report, outcome, getattr(report, outcome) + 1)
        if on_message is not None:
            on_message(outcome)
    return report
