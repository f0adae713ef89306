"""The ticket audit trail, written in the same transaction as each change from its events."""

from __future__ import annotations

from typing import Any

from frontdesk.core.events import EventMeta, handler
from frontdesk.core.transactions import insert_behind
from frontdesk.tickets.events import (
    MessageAdded,
    TicketCreated,
    TicketLinked,
    TicketsMerged,
    TicketSplit,
    TicketUnlinked,
    TicketUpdated,
)
from frontdesk.tickets.models import TicketAudit

# derived from another field already in the trail
_HIDDEN_FIELDS = frozenset({"status_category"})


def _row(
    meta: EventMeta, ticket_id: int, action: str, field: str = "", old: Any = None, new: Any = None
) -> TicketAudit:
    actor = meta.actor
    return TicketAudit(
        ticket_id=ticket_id,
        event_id=meta.id,
        action=action,
        field=field,
        old_value=old,
        new_value=new,
        actor_kind=actor.kind,
        actor_user_id=actor.user_id,
        actor_rule_id=actor.rule_id,
        actor_label=actor.label[:200],
        created_at=meta.created_at,
    )


def _message_value(event: MessageAdded) -> dict[str, Any]:
    value: dict[str, Any] = {"message_id": event.message_id, "kind": event.kind, "channel": event.channel}
    if event.attachment_ids:
        value["attachment_ids"] = event.attachment_ids
    if event.mentioned_user_ids:
        value["mentioned_user_ids"] = event.mentioned_user_ids
    return value


@handler(TicketCreated, in_transaction=True)
def audit_created(event: TicketCreated, meta: EventMeta) -> None:
    new = dict(event.fields)
    opening = meta.hints.get("opening")
    if isinstance(opening, MessageAdded):  # one entry for the new ticket and its opening message
        new["opening_message"] = _message_value(opening)
    insert_behind(*[_row(meta, event.ticket_id, "created", new=new)])


@handler(TicketUpdated, in_transaction=True)
def audit_updated(event: TicketUpdated, meta: EventMeta) -> None:
    rows = [
        _row(meta, event.ticket_id, "updated", field, old, new)
        for field, (old, new) in sorted(event.changes.items())
        if field not in _HIDDEN_FIELDS
    ]
    if rows:
        insert_behind(*rows)


@handler(MessageAdded, in_transaction=True)
def audit_message(event: MessageAdded, meta: EventMeta) -> None:
    if event.opening and meta.hints.get("opening") is event:
        return  # already in the ticket's "created" entry
    insert_behind(*[_row(meta, event.ticket_id, "message_added", new=_message_value(event))])


@handler(TicketsMerged, in_transaction=True)
def audit_merged(event: TicketsMerged, meta: EventMeta) -> None:
    moved = {"message_ids": event.moved_message_ids}
    insert_behind(
        *[
            _row(
                meta,
                event.source_id,
                "merged_into",
                "merged_into",
                None,
                {"ticket_id": event.target_id, **moved},
            ),
            _row(
                meta,
                event.target_id,
                "merged_from",
                "merged_from",
                None,
                {"ticket_id": event.source_id, **moved},
            ),
        ]
    )


@handler(TicketSplit, in_transaction=True)
def audit_split(event: TicketSplit, meta: EventMeta) -> None:
    moved = {"message_ids": event.message_ids}
    insert_behind(
        *[
            _row(meta, event.source_id, "split", "split_to", None, {"ticket_id": event.new_ticket_id, **moved}),
            _row(
                meta,
                event.new_ticket_id,
                "split",
                "split_from",
                None,
                {"ticket_id": event.source_id, **moved},
            ),
        ]
    )


@handler(TicketLinked, TicketUnlinked, in_transaction=True)
def audit_link(event: TicketLinked | TicketUnlinked, meta: EventMeta) -> None:
    action = "linked" if isinstance(event, TicketLinked) else "unlinked"
    insert_behind(
        *[
            _row(
                meta,
                event.source_id,
                action,
                "link",
                None,
                {"kind": event.kind, "ticket_id": event.target_id},
            ),
            _row(
                meta,
                event.target_id,
                action,
                "linked_from",
                None,
                {"kind": event.kind, "ticket_id": event.source_id},
            ),
        ]
    )
