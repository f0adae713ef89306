"""Keep the ticket index consistent with ticket writes (inside the writer's transaction), and
let saved-view counts know tickets changed (after commit)."""

from __future__ import annotations

from frontdesk.core.events import EventMeta, handler
from frontdesk.core.transactions import on_commit_once
from frontdesk.tickets import queue_selectors, search
from frontdesk.tickets.events import MessageAdded, TicketCreated, TicketsMerged, TicketSplit, TicketUpdated
from frontdesk.tickets.models import Message


@handler(TicketCreated, in_transaction=True)
def count_created_ticket(event: TicketCreated, meta: EventMeta) -> None:
    # the index entry is written once, with the opening message (MessageAdded, opening=True)
    on_commit_once(queue_selectors.counts_changed)


@handler(MessageAdded, in_transaction=True)
def index_added_message(event: MessageAdded, meta: EventMeta) -> None:
    if event.opening:
        if meta.hints.get("indexed"):  # the writer stored the entry with the ticket's row (PostgreSQL)
            return
        message, ticket = meta.hints.get("message"), meta.hints.get("ticket")
        if message is not None and ticket is not None:  # the writer's own objects: nothing to read back
            row: tuple[str, str] | None = (message.body, ticket.subject)
        else:
            row = Message.objects.filter(pk=event.message_id).values_list("body", "ticket__subject").first()
        if row is not None:
            search.index_new_ticket(event.ticket_id, row[1], body=row[0], note=event.kind == "note")
        return
    if meta.hints.get("indexed"):  # the writer appended its text with the ticket's other changes (PostgreSQL)
        return
    hinted = meta.hints.get("message")
    if isinstance(hinted, Message) and hinted.pk == event.message_id:
        body: str | None = hinted.body  # the writer's own object: nothing to read back
    else:
        body = Message.objects.filter(pk=event.message_id).values_list("body", flat=True).first()
    if body:
        search.append_text(event.ticket_id, body, note=event.kind == "note")


@handler(TicketUpdated, in_transaction=True)
def reindex_updated_ticket(event: TicketUpdated, meta: EventMeta) -> None:
    change = event.changes.get("subject")
    if isinstance(change, list | tuple) and len(change) == 2 and isinstance(change[1], str):
        search.set_subject(event.ticket_id, change[1])
    on_commit_once(queue_selectors.counts_changed)


@handler(TicketsMerged, in_transaction=True)
def reindex_merged_tickets(event: TicketsMerged, meta: EventMeta) -> None:
    search.append_messages(event.target_id, event.moved_message_ids)
    search.index_ticket(event.source_id)  # its text moved away
    on_commit_once(queue_selectors.counts_changed)


@handler(TicketSplit, in_transaction=True)
def reindex_split_tickets(event: TicketSplit, meta: EventMeta) -> None:
    search.index_ticket(event.new_ticket_id)
    search.index_ticket(event.source_id)
    on_commit_once(queue_selectors.counts_changed)
