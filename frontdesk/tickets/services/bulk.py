"""Bulk changes: ticket_update on many tickets, each in its own savepoint."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from frontdesk.accounts.acting import acting_user
from frontdesk.core.actor import Actor
from frontdesk.core.errors import FrontdeskError, PermissionDenied, ValidationError
from frontdesk.tickets import policies
from frontdesk.tickets.models import Ticket
from frontdesk.tickets.services import _common as c
from frontdesk.tickets.services.update import apply_changes, check_changes, lock_ticket

MAX_BULK = 500


def tickets_bulk_update(
    *, actor: Actor, ticket_ids: list[int], **changes: Any
) -> dict[str, Any]:
    """Apply the same changes to each visible ticket. One failure does not undo the others:
    returns ``{"updated": [ids], "failed": {id: message}}``."""
    by = acting_user(actor)
    if not isinstance(ticket_ids, list) or not ticket_ids or not all(c.is_id(i) for i in ticket_ids):
        raise ValidationError("Name the tickets to change.", fields={"ticket_ids": "a non-empty list of ids"})
    if len(ticket_ids) > MAX_BULK:
        raise ValidationError(
            f"At most {MAX_BULK} tickets at once.", fields={"ticket_ids": f"at most {MAX_BULK}"}
        )
    if not changes:
        raise ValidationError("Nothing to change.", fields={"changes": "required"})
    check_changes(changes)
    if by is not None and not policies.can_edit(by):
        raise PermissionDenied("You may not change tickets.")
    ids = list(dict.fromkeys(ticket_ids))
    qs = Ticket.objects.filter(pk__in=ids)
    if by is not None:
        qs = policies.visible_tickets(by, qs)
    visible = set(qs.values_list("pk", flat=True))
    updated: list[int] = []
    failed: dict[int, str] = {}
    with transaction.atomic():
        for pk in ids:
            if pk not in visible:
                failed[pk] = "Ticket not found."
                continue
            try:
                with transaction.atomic():  # a savepoint per ticket
                    apply_changes(actor=actor, ticket=lock_ticket(pk), changes=dict(changes))
                updated.append(pk)
            except FrontdeskError as exc:
                detail = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
                failed[pk] = f"{exc.message} ({detail})" if detail else exc.message
    return {"updated": updated, "failed": failed}
