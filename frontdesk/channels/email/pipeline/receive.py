"""Run the pipeline for one stored message, in one transaction, idempotently.

The message is read, parsed and its HTML sanitised before the transaction (``_prepare``): that
work is linear but can take a while on a large or hostile message, and no write lock is held
meanwhile (DESIGN.md §4, rule 7). Then the row is locked (select_for_update) so two workers never
process it twice; the steps run in a savepoint so that a refusal or a failure rolls back their
writes but keeps the lock, and the row is marked ignored or quarantined with its reason. The raw
file is never touched.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.message import EmailMessage

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from frontdesk.channels.email.mailboxes import mailbox_for_intake, own_addresses
from frontdesk.channels.email.models import IMPORTED, EmailReference, InboundEmail, InboundStatus, Mailbox
from frontdesk.channels.email.pipeline import preflight
from frontdesk.channels.email.pipeline.bounce import handle_bounce
from frontdesk.channels.email.pipeline.identify import ccs_to_add, identify
from frontdesk.channels.email.pipeline.parse import Parsed, addresses, load, parse
from frontdesk.channels.email.pipeline.store import read_raw
from frontdesk.channels.email.pipeline.threading import answered_ids, handling_notes, take_lock, thread_for
from frontdesk.core.actor import Actor
from frontdesk.core.errors import ValidationError
from frontdesk.core.html import Sanitised, sanitize_html
from frontdesk.core.reads import read_one
from frontdesk.core.transactions import insert_behind, item_savepoint, writes_behind
from frontdesk.core.updates import update, update_many
from frontdesk.customers.models import Contact
from frontdesk.customers.services import identity_owners
from frontdesk.tickets.models import Attachment, LinkKind, Message, StatusCategory, Ticket
from frontdesk.tickets.services import message_add, sniff, ticket_create, ticket_link, ticket_update

ACTOR = Actor.system("email")
DONE = (InboundStatus.PROCESSED, InboundStatus.IGNORED, InboundStatus.QUARANTINED)
_RESULT_FIELDS = ["status", "reason", "processed_at", "attempts", "sender", "ticket", "message", "notes"]


@dataclass
class _Prepared:
    """What the steps need of the message, made before the transaction."""

    raw: bytes
    msg: EmailMessage
    sender: str | None = None  # _sender(msg), read once (the batch's facts and the steps ask)
    parsed: Parsed | None = None  # None when it is too large to parse (the steps quarantine it)
    body_html: Sanitised | None = None
    quoted_html: Sanitised | None = None
    uploads: tuple[list[ContentFile], list[str], list[str]] | None = None
    error: Exception | None = None  # raised by parsing: the steps quarantine the message with it


MailboxOf = Callable[[int], Mailbox | None]


@dataclass
class _Batch:
    """What a batch reads once for all its messages, under their locks (``process_batch``)."""

    seen: dict[int, preflight.Seen]  # by row id: the facts as the batch began
    known: dict[str, Contact]  # the owners of the batch's addresses, and the contacts made since
    done: set[tuple[str, str]]  # (Message-ID, sender) of the messages the batch processed so far
    savepoints: bool = True  # False: its messages run without savepoints (see process_batch)
    writing: bool = False  # the current message has begun to write


class _Redo(Exception):  # noqa: N818 - a decision, not an error
    """A message of a batch without savepoints failed after it had begun to write: the batch is
    rolled back and run again with a savepoint per message."""


def _sender(msg: EmailMessage) -> str:
    senders = addresses(msg, "From") or addresses(msg, "Sender", "Return-Path")
    return senders[0][1][:254] if senders else ""


def _prepare(row: InboundEmail | None, mailbox_of: MailboxOf = mailbox_for_intake) -> _Prepared | None:
    """Read, parse and sanitise the message outside any transaction; None when it is done
    already, unknown or unreadable (the steps, under the lock, decide what happens then)."""
    if row is None or row.status in DONE:
        return None
    try:
        raw = read_raw(row)
        prepared = _Prepared(raw=raw, msg=load(raw))
    except Exception:  # noqa: BLE001 - read again under the lock, where a failure quarantines it
        return None
    mailbox = mailbox_of(row.mailbox_id) if row.mailbox_id is not None else None
    if mailbox is not None and row.size > mailbox.max_message_bytes:
        return prepared  # preflight quarantines it: its body is not read
    try:
        prepared.parsed = parsed = parse(raw, prepared.msg)
        prepared.body_html = sanitize_html(parsed.html_body)
        prepared.quoted_html = sanitize_html(parsed.html_quoted)
        prepared.uploads = _uploads(parsed)
    except Exception as exc:  # noqa: BLE001 - never expected (parse never raises); kept for the steps
        prepared.error = exc
    return prepared


def _uploads(parsed: Parsed) -> tuple[list[ContentFile], list[str], list[str]]:
    """Files to attach (with their Content-IDs, in the same order) and notes on refused ones."""
    files: list[ContentFile] = []
    cids: list[str] = []
    refused: list[str] = []
    limit = settings.MAX_ATTACHMENT_BYTES
    for part in parsed.parts:
        if len(part.data) > limit:
            refused.append(f"{part.filename} (larger than {limit} bytes)")
            continue
        try:
            sniff(part.data[:4096])
        except ValidationError:
            refused.append(f"{part.filename} (executable)")
            continue
        files.append(ContentFile(part.data, name=part.filename))
        cids.append(part.content_id)
    return files, cids, refused


def _body(parsed: Parsed, refused: list[str]) -> str:
    body = parsed.body or ""
    if refused:
        body += "\n\n[Attachments not accepted: " + ", ".join(refused) + "]"
    if parsed.skipped_parts:
        body += f"\n\n[{parsed.skipped_parts} further parts not shown]"
    return body.strip() or "(no text)"


def _inline_images(message: Message, cids: list[str]) -> None:
    """``src="cid:…"`` in the HTML (the new part and the folded quoted history) becomes the stored
    attachment's download address."""
    if not (message.body_html or message.quoted_html) or not any(cids):
        return
    stored = list(Attachment.objects.filter(message=message).order_by("pk").values_list("pk", flat=True))
    urls = {cid: f"/api/v1/attachments/{pk}/download" for cid, pk in zip(cids, stored, strict=False) if cid}

    def swap(match: re.Match[str]) -> str:
        url = urls.get(match.group(2).strip())
        return f"{match.group(1)}{url}" if url else match.group(0)

    changed: dict[str, str] = {}
    for name in ("body_html", "quoted_html"):
        html = getattr(message, name)
        swapped = re.sub(r"""(src\s*=\s*["']?)cid:([^"'\s>]+)""", swap, html, flags=re.IGNORECASE)
        if swapped != html:
            changed[name] = swapped
            setattr(message, name, swapped)
    if changed:
        Message.objects.filter(pk=message.pk).update(**changed)


def _add_ccs(ticket: Ticket, ccs: list[Contact]) -> None:
    if not ccs:
        return
    current = set(ticket.ccs.values_list("pk", flat=True))
    new = [c.pk for c in ccs if c.pk not in current and c.pk != ticket.requester_id]
    if new:
        ticket_update(actor=ACTOR, ticket=ticket, ccs=sorted(current | set(new)))


def _write(
    inbound: InboundEmail, prepared: _Prepared, parsed: Parsed, contact: Contact, ccs: list[Contact]
) -> tuple[Ticket, Message]:
    mailbox: Mailbox | None = inbound.mailbox
    thread = thread_for(parsed, contact)
    ticket = thread.ticket
    locked = take_lock(ticket)  # read with its row lock by threading, and current: not read again
    withheld: list[Contact] = []
    files, cids, refused = prepared.uploads or _uploads(parsed)
    body = _body(parsed, refused)
    body_html = prepared.body_html if prepared.body_html is not None else parsed.html_body
    quoted_html = prepared.quoted_html if prepared.quoted_html is not None else parsed.html_quoted
    external_id = parsed.message_id[:255] or None
    written = _written_at(inbound, parsed)
    if ticket is not None and ticket.status_category != StatusCategory.CLOSED:
        message = message_add(
            actor=ACTOR,
            ticket=ticket,
            locked_by_caller=locked,
            body=body,
            author_contact=contact,
            channel="email",
            attachments=files or None,
            body_html=body_html,
            quoted_text=parsed.quoted_text,
            quoted_html=quoted_html,
            external_id=external_id,
            created_at=written,
        )
        added, withheld = ccs_to_add(ticket, parsed, contact, ccs)
        _add_ccs(ticket, added)
    else:
        closed = ticket
        ticket = ticket_create(
            actor=ACTOR,
            requester=contact,
            subject=parsed.subject,
            body=body,
            channel="email",
            brand=mailbox.brand if mailbox else None,
            team=mailbox.team if mailbox else None,
            ccs=[c.pk for c in ccs] or None,
            attachments=files or None,
            body_html=body_html,
            quoted_text=parsed.quoted_text,
            quoted_html=quoted_html,
            external_id=external_id,
            created_at=written,
        )
        message = ticket.opening_message  # type: ignore[attr-defined]
        if closed is not None:
            ticket_link(actor=ACTOR, source=ticket, target=closed, kind=LinkKind.FOLLOW_UP_OF)
    inbound.notes = handling_notes(thread, withheld)
    _inline_images(message, cids)
    if parsed.message_id:
        # at the batch's end, with the others (threading finds it meanwhile: held_behind)
        insert_behind(EmailReference(header_id=parsed.message_id, ticket=ticket, message=message, outgoing=False))
    return ticket, message


EARLIEST_DATE = datetime(1990, 1, 1, tzinfo=UTC)  # an older Date is a broken clock, not history


def _written_at(inbound: InboundEmail, parsed: Parsed) -> datetime | None:
    """When a message of an imported mailbox history was written (its Date, if it is a real past
    date), so the imported conversation keeps its dates; None (now) for mail arriving live."""
    if inbound.source != IMPORTED or parsed.date is None:
        return None
    written = parsed.date if parsed.date.tzinfo else parsed.date.replace(tzinfo=UTC)
    return written if EARLIEST_DATE <= written <= timezone.now() else None


def _run(
    inbound: InboundEmail, own: frozenset[str], accept: bool = False, prepared: _Prepared | None = None,
    batch: _Batch | None = None,
) -> preflight.Refused | None:
    """The steps; a refusal returned (not raised) keeps what the steps wrote (a bounce we cannot
    match still flags the addresses it reports). ``accept``: an administrator decided this message
    (ignored as machine mail, a bounce, a burst or from our own address) is a customer's: only a
    duplicate or a Message-ID we sent is still refused. ``prepared``: the message read and parsed
    before the transaction (read here only if the row changed in between). ``batch``: what its
    batch read for it."""
    if prepared is None:
        raw = read_raw(inbound)
        prepared = _Prepared(raw=raw, msg=load(raw))
    raw, msg = prepared.raw, prepared.msg
    if prepared.sender is None:
        prepared.sender = _sender(msg)
    inbound.sender = sender = prepared.sender
    preflight.check_size(inbound)
    facts = batch.seen.get(inbound.pk) if batch is not None else None
    seen = facts or preflight.look_up(inbound, sender)
    if batch is not None and inbound.header_id and (inbound.header_id, sender) in batch.done:
        seen = replace(seen, duplicate=True)  # processed earlier in this batch, after its facts were read
    preflight.check_duplicate(seen)
    preflight.check_own_mail(sender, frozenset() if accept else own, seen)
    if not accept and preflight.is_bounce(msg, sender):
        if batch is not None:
            batch.writing = True
        found = handle_bounce(msg)
        if found is None:  # ignored, but the failed addresses it reported stay flagged
            return preflight.Ignore("bounce")
        inbound.ticket, inbound.message = found  # type: ignore[assignment]
        return None
    if not accept:
        preflight.check_machine(msg)
        if inbound.source != IMPORTED:  # a history's many messages from one sender are no mail loop
            preflight.check_burst(sender, seen)
    if prepared.error is not None:
        raise prepared.error
    parsed = prepared.parsed or parse(raw, msg)  # (parsed here only if the row changed in between)
    if not parsed.from_address:
        raise preflight.Quarantine("no sender address")
    known = batch.known if batch is not None else None
    if batch is not None:
        batch.writing = True
    contact, ccs = identify(parsed, ACTOR, own, undeliverable=seen.sender_undeliverable, known=known)
    inbound.ticket, inbound.message = _write(inbound, prepared, parsed, contact, ccs)
    return None


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}".replace("\x00", "")[:2000]


def _processed_elsewhere(inbound: InboundEmail) -> bool:
    others = InboundEmail.objects.filter(header_id=inbound.header_id, status=InboundStatus.PROCESSED)
    return bool(inbound.header_id) and others.filter(sender=inbound.sender).exclude(pk=inbound.pk).exists()


def _settle(inbound: InboundEmail, status: str, reason: str, *, write: bool = True) -> None:
    inbound.ticket = inbound.message = None
    inbound.notes = []
    inbound.status, inbound.reason = status, reason
    inbound.processed_at = timezone.now()
    if write:
        update(inbound, _RESULT_FIELDS)


def _process_locked(
    inbound: InboundEmail,
    own: frozenset[str],
    accept: bool,
    prepared: _Prepared | None,
    mailbox_of: MailboxOf = mailbox_for_intake,
    batch: _Batch | None = None,
    outcomes: list[InboundEmail] | None = None,
) -> None:
    """The steps for one row locked by the caller's transaction, in a savepoint of their own: a
    refusal or a failure rolls back this message's writes only, and marks it with its reason.
    ``outcomes``: the row's outcome is added there for the caller to write (``update_many``)
    rather than written here. In a batch without savepoints (``batch.savepoints``), a failure after
    the message began to write raises ``_Redo``."""
    inbound.attempts += 1
    mailbox = mailbox_of(inbound.mailbox_id) if inbound.mailbox_id is not None else None
    if mailbox is not None:
        inbound.mailbox = mailbox
    known_before = set(batch.known) if batch is not None else set()
    if batch is not None:
        batch.writing = False
    write = outcomes is None
    try:
        try:
            with item_savepoint(savepoint=batch is None or batch.savepoints):  # the services open none inside
                refusal = _run(inbound, own, accept, prepared, batch)
                if refusal is not None:
                    inbound.status, inbound.reason = refusal.status, refusal.reason
                else:
                    inbound.status, inbound.reason = InboundStatus.PROCESSED, ""
                inbound.processed_at = timezone.now()
                if write:  # inside the savepoint: a failure here rolls back the message's writes
                    update(inbound, _RESULT_FIELDS)
        except Exception as exc:
            if batch is not None:  # the contacts this message made were rolled back with it
                for value in set(batch.known) - known_before:
                    del batch.known[value]
                if not batch.savepoints and (batch.writing or transaction.get_connection().needs_rollback):
                    raise _Redo() from exc
            raise
        if batch is not None and inbound.header_id and refusal is None:
            batch.done.add((inbound.header_id, inbound.sender))
    except _Redo:
        raise
    except preflight.Refused as refusal:
        _settle(inbound, refusal.status, refusal.reason, write=write)
    except IntegrityError as exc:
        if _processed_elsewhere(inbound):
            _settle(inbound, InboundStatus.IGNORED, "duplicate: this Message-ID was already processed", write=write)
        else:
            _settle(inbound, InboundStatus.QUARANTINED, _reason(exc), write=write)
    except Exception as exc:  # noqa: BLE001 - anything else: quarantined with its reason, never lost
        _settle(inbound, InboundStatus.QUARANTINED, _reason(exc), write=write)
    if outcomes is not None:
        outcomes.append(inbound)


def process_inbound(inbound_id: int, *, accept: bool = False) -> InboundEmail:
    """Process one stored message; a processed, ignored or quarantined row is returned unchanged.
    ``accept``: see ``_run``."""
    own = own_addresses()  # outside the transaction, so the cached value serves
    prepared = _prepare(InboundEmail.objects.filter(pk=inbound_id).first())  # never under the write lock
    with transaction.atomic():
        found = read_one(InboundEmail, '"id" = %s', [inbound_id], for_update=True)  # SQL compiled once
        if found is None:
            raise InboundEmail.DoesNotExist(f"No inbound message {inbound_id}.")
        if found.status not in DONE:
            _process_locked(found, own, accept, prepared)
    return found


BATCH_SIZE = 100
BATCH_SECONDS = {"sqlite": 0.25}  # SQLite has one writer: a batch holds it this long at most
DEFAULT_BATCH_SECONDS = 2.0


def process_batch(
    inbound_ids: list[int], *, savepoints: bool = False, deferred: dict[int, list[int]] | None = None
) -> tuple[list[InboundEmail], list[int]]:
    """Process many stored messages in one transaction (one commit). Rows another worker holds
    are skipped (it is processing them); rows done already are left as they are. Stops taking
    more rows once the batch has run its time budget, so a writer is never held long: the rows
    left stay ``received`` for the next batch. Returns the rows it processed, in the order
    received, and the ids it left for the next batch.

    One bad message is quarantined alone. The messages first run without a savepoint each (two
    statements fewer per message): a refusal comes before any write, so it needs none. A message
    that fails after it began to write rolls the batch back, and the batch runs again with a
    savepoint per message (``savepoints``), in which that message's failure rolls back its own
    writes only.

    ``deferred``: given by an intake that runs beside others (ADR 0015). A reply to a message
    stored before it that another batch has not committed yet is not processed but added there
    (with the ids of the rows it waits for), for the caller to offer again once they are done;
    threaded now, it would miss the ticket that message opens."""
    if not inbound_ids:
        return [], []
    own = own_addresses()
    mailbox_of = functools.cache(mailbox_for_intake)  # read once per batch, not twice per message
    waiting = InboundEmail.objects.filter(pk__in=inbound_ids, status=InboundStatus.RECEIVED)
    prepared = {row.pk: _prepare(row, mailbox_of) for row in waiting}  # parsing and sanitising hold no lock
    budget = BATCH_SECONDS.get(transaction.get_connection().vendor, DEFAULT_BATCH_SECONDS)
    done: list[InboundEmail] = []
    try:
        with transaction.atomic():
            started = time.monotonic()
            locked = InboundEmail.objects.select_for_update(skip_locked=True).filter(
                pk__in=list(prepared), status=InboundStatus.RECEIVED
            )
            rows = list(locked.order_by("pk"))
            if deferred is not None:
                rows = _without_waiting(rows, prepared, deferred)
            batch = _read_for_batch(rows, prepared, savepoints)
            with nullcontext() if savepoints else writes_behind():  # the audit trail in one insert
                for inbound in rows:
                    _process_locked(inbound, own, False, prepared.get(inbound.pk), mailbox_of, batch, done)
                    if time.monotonic() - started > budget:
                        break
            update_many(done, _RESULT_FIELDS)  # the outcomes together, at the end (one batch of statements)
    except _Redo:
        if deferred is not None:
            deferred.clear()
        return process_batch(inbound_ids, savepoints=True, deferred=deferred)
    return done, [row.pk for row in rows[len(done):]]


def _without_waiting(
    rows: list[InboundEmail], prepared: dict[int, _Prepared | None], deferred: dict[int, list[int]]
) -> list[InboundEmail]:
    """``rows`` without the replies to messages another batch is still processing (added to
    ``deferred``). Asked before any message of the batch is threaded: what the other batch has
    not committed by now, this batch's look-ups would not see."""
    answers = {
        row.pk: answered_ids(p.parsed)
        for row in rows if (p := prepared.get(row.pk)) is not None and p.parsed is not None
    }
    waiting = preflight.answering_earlier({pk: ids for pk, ids in answers.items() if ids}, [row.pk for row in rows])
    deferred.update(waiting)
    return [row for row in rows if row.pk not in waiting]


def _read_for_batch(rows: list[InboundEmail], prepared: dict[int, _Prepared | None], savepoints: bool) -> _Batch:
    """Under the rows' locks: their Message-IDs' locks, the duplicate, burst and own-mail facts of
    every message, and the contacts owning their senders' and CCs' addresses, in three statements
    for the whole batch, not three per message."""
    ready = [(row, p) for row in rows if (p := prepared.get(row.pk)) is not None]
    preflight.lock_message_ids(row.header_id for row in rows)
    for _, p in ready:
        p.sender = _sender(p.msg) if p.sender is None else p.sender
    seen = preflight.look_up_many([(row, p.sender or "") for row, p in ready])
    wanted = [a for _, p in ready if p.parsed is not None for a in (p.parsed.from_address, *p.parsed.cc) if a]
    return _Batch(seen=seen, known=identity_owners("email", wanted), done=set(), savepoints=savepoints)


def process_all(inbound_ids: list[int]) -> list[InboundEmail]:
    """``process_batch`` until every one of ``inbound_ids`` is done (or held by another worker)."""
    done: list[InboundEmail] = []
    left = list(inbound_ids)
    while left:
        processed, rest = process_batch(left[:BATCH_SIZE])  # each batch processes at least one
        done += processed
        left = rest + left[BATCH_SIZE:]
    return done


def reprocess(inbound_id: int, *, accept_ignored: bool = False) -> InboundEmail:
    """Run a quarantined message through the pipeline again (after a fix). With
    ``accept_ignored``, an ignored message too, as a customer's message whatever its headers say
    (an administrator's decision: only duplicates and our own Message-IDs are still refused)."""
    own = own_addresses()
    with transaction.atomic():  # one transaction: no sweep sees it "received" in between
        inbound = InboundEmail.objects.select_for_update().get(pk=inbound_id)
        accept = accept_ignored and inbound.status == InboundStatus.IGNORED
        if inbound.status != InboundStatus.QUARANTINED and not accept:
            return inbound
        inbound.status, inbound.reason = InboundStatus.RECEIVED, ""
        _process_locked(inbound, own, accept, None)
    return inbound
