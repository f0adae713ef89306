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
import itertools
import mailbox as stdlib_mailbox
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Min

from frontdesk.channels.email.intake_process import Children
from frontdesk.channels.email.models import IMPORTED, InboundEmail, InboundStatus, Mailbox
from frontdesk.channels.email.pipeline.receive import BATCH_SIZE, process_all
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


def _outcomes(rows: list[InboundEmail]) -> dict[int, str]:
    """What became of each processed row: it opened its ticket (its message is the ticket's
    first), joined one, or was ignored or quarantined; "failed" if it is still waiting."""
    tickets = {row.ticket_id for row in rows if row.status == InboundStatus.PROCESSED and row.ticket_id}
    first = dict(
        Message.objects.filter(ticket_id__in=tickets).values("ticket_id").annotate(first=Min("pk")).values_list(
            "ticket_id", "first"
        )
    )
    outcomes = {str(InboundStatus.IGNORED): "ignored", str(InboundStatus.QUARANTINED): "quarantined"}
    found: dict[int, str] = {}
    for row in rows:
        if row.status == InboundStatus.PROCESSED and row.ticket_id is not None:
            found[row.pk] = "created" if first.get(row.ticket_id) == row.message_id else "threaded"
        else:
            found[row.pk] = outcomes.get(str(row.status), "failed")
    return found


def messages_at(path: Path) -> tuple[str, int, Iterator[bytes]]:
    kind, readers = _source(path)
    return kind, len(readers), (read() for read in readers)


def import_mail(
    *, path: Path, mailbox: Mailbox | None, on_message: Callable[[str], None] | None = None
) -> ImportReport:
    """Import every message at ``path`` into ``mailbox`` (None: the brand's default); ``on_message``
    hears each message's outcome (a progress bar). With ``INTAKE_PROCESSES`` child processes
    process each stored chunk while the next one is read and stored (ADR 0014), each sender's
    messages in the order of the history, and a reply after the message it answers (ADR 0015)."""
    kind, count, raws = messages_at(path)
    report = ImportReport(kind=kind, found=count)
    seen = {sha: (pk, status) for pk, sha, status in
            InboundEmail.objects.filter(source=IMPORTED).values_list("pk", "sha256", "status")}
    chunk: dict[str, bytes] = {}  # by sha256: a second copy of a message waiting here counts as imported
    child = Children(settings.INTAKE_PROCESSES) if settings.INTAKE_PROCESSES and not settings.INTAKE_IMMEDIATE else None
    behind: list[int] = []  # stored and handed to the child, outcome not counted yet
    handed: set[int] = set()  # every id handed to the child (a later copy of one is imported already)

    def count_outcomes(ids: list[int], rows: dict[int, InboundEmail]) -> None:
        outcomes = _outcomes(list(rows.values()))
        for pk in ids:
            row = rows.get(pk)
            outcome = outcomes.get(pk, "failed")
            if row is not None:
                seen[row.sha256] = (pk, row.status)
                if outcome in ("ignored", "quarantined"):
                    report.reasons[row.reason.split(":")[0] or outcome] += 1
            _count(report, outcome, on_message)

    def flush() -> None:
        with transaction.atomic():  # the chunk's raw messages in one commit: nobody waits for an answer
            stored = [_stored(sha, raw, mailbox, seen) for sha, raw in chunk.items()]
        chunk.clear()
        ids = [pk for pk, _ in stored]
        if child is not None:
            for pk, sender_key in stored:
                child.submit(pk, sender_key)
            behind.extend(ids)
            handed.update(ids)
            settled(final=False)
            return
        try:
            rows = {row.pk: row for row in process_all(ids)}
        except Exception:  # noqa: BLE001 - stored: the sweep (or the next run) processes them
            rows = {}
        count_outcomes(ids, rows)

    def settled(*, final: bool) -> None:
        """Count what the child has processed so far (all that is left, at the end), in order."""
        found = {row.pk: row for row in InboundEmail.objects.filter(pk__in=behind)}
        done = behind if final else list(itertools.takewhile(
            lambda pk: pk in found and found[pk].status != InboundStatus.RECEIVED, behind
        ))
        if done:  # a row still received counts as failed (``_outcomes``)
            count_outcomes(done, {pk: found[pk] for pk in done if pk in found})
            del behind[: len(done)]

    for raw in raws:
        sha = hashlib.sha256(raw).hexdigest()
        known = seen.get(sha)
        if (known is not None and (known[1] != InboundStatus.RECEIVED or known[0] in handed)) or sha in chunk:
            _count(report, "already", on_message)
        elif not raw.strip():
            report.reasons["empty message"] += 1
            _count(report, "ignored", on_message)
        else:
            chunk[sha] = raw
            if len(chunk) >= BATCH_SIZE:
                flush()
    if chunk:
        flush()
    if child is not None:
        while not child.drain(timeout=5):  # until the child has answered for every message
            settled(final=False)
        child.finish()
        settled(final=True)  # a message still received here failed: the sweep processes it later
    return report


def _stored(sha: str, raw: bytes, mailbox: Mailbox | None, seen: dict[str, tuple[int, str]]) -> tuple[int, str]:
    """The id of this message's row (the one an earlier run stored, or a new one) and its
    sender's address key ('' for one stored before: any child may take it)."""
    known = seen.get(sha)
    if known is not None and known[0]:
        return known[0], ""
    row = store_raw(mailbox=mailbox, raw=raw, source=IMPORTED)
    seen[sha] = (int(row.pk), InboundStatus.RECEIVED)
    return int(row.pk), row.sender_key


def _count(report: ImportReport, outcome: str, on_message: Callable[[str], None] | None) -> None:
    setattr(report, outcome, getattr(report, outcome) + 1)
    if on_message is not None:
        on_message(outcome)
