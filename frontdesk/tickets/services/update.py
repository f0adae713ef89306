"""ticket_update: change a ticket's properties under a row lock, recording field -> [old, new]."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from frontdesk.accounts.acting import acting_user
from frontdesk.core.actor import Actor
from frontdesk.core.errors import Conflict, ValidationError
from frontdesk.core.events import record
from frontdesk.core.reads import read_one
from frontdesk.fields.services import normalise_tags, tags_ensure, validate_values
from frontdesk.tickets.events import TicketUpdated
from frontdesk.tickets.models import StatusCategory, Ticket
from frontdesk.tickets.services import _common as c
from frontdesk.tickets.services.conflicts import check_expected, check_version, reconcile

UPDATABLE = frozenset(
    {
        "subject",
        "status",
        "priority",
        "type",
        "team",
        "assignee",
        "tags",
        "add_tags",
        "remove_tags",
        "custom_fields",
        "due_at",
        "followers",
        "ccs",
    }
)


def lock_ticket(ticket: Ticket | int) -> Ticket:
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    # every write to a ticket starts here: read with SQL compiled once (core/reads.py)
    locked = read_one(Ticket, '"id" = %s', [pk], for_update=True, defer=("search_vector",))
    if locked is None:
        from frontdesk.core.errors import NotFound

        raise NotFound("Ticket not found.")
    return locked


def check_changes(changes: dict[str, Any]) -> None:
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValidationError("Unknown fields.", fields={k: "unknown field" for k in sorted(unknown)})
    if "tags" in changes and ("add_tags" in changes or "remove_tags" in changes):
        raise ValidationError(
            "Use tags or add_tags/remove_tags, not both.", fields={"tags": "conflicts with add_tags"}
        )


def ticket_update(
    *,
    actor: Actor,
    ticket: Ticket | int,
    expected: dict[str, Any] | None = None,
    if_version: int | Iterable[int] | None = None,
    **changes: Any,
) -> Ticket:
    """Apply ``changes`` to the ticket; returns the fresh, updated row.

    ``expected`` holds, for fields being changed, the value the editor last saw: a field set to
    the value they saw is not written, and one someone else changed since refuses the update
    (``FieldConflict``, 409, nothing changed). ``if_version`` refuses it unless the ticket is still
    at that version (or one of those versions): ``StaleVersion``, 412. Both are checked under the
    row lock (services/conflicts.py)."""
    by = acting_user(actor)
    check_changes(changes)
    seen = check_expected(expected)
    with transaction.atomic():
        locked = lock_ticket(ticket)
        c.require_editor(by, locked)
        check_version(locked, if_version)
        changes = reconcile(by=by, ticket=locked, changes=changes, expected=seen)
        apply_changes(actor=actor, ticket=locked, changes=changes)
    return locked


def apply_changes(*, actor: Actor, ticket: Ticket, changes: dict[str, Any]) -> dict[str, list[Any]]:
    """Validate and save ``changes`` on a locked ticket inside the caller's transaction."""
    if not changes:
        return {}
    if ticket.status_category == StatusCategory.CLOSED:
        raise Conflict(c.CLOSED_MESSAGE)
    diff: dict[str, list[Any]] = {}
    update_fields: list[str] = []
    now = timezone.now()

    def put(field: str, attr: str, old: Any, new: Any, value: Any) -> None:
        if old != new:
            diff[field] = [old, new]
            setattr(ticket, attr, value)
            update_fields.append(attr)

    if "subject" in changes:
        subject = c.clean_subject(changes["subject"])
        put("subject", "subject", ticket.subject, subject, subject)
    if "priority" in changes:
        priority = c.clean_priority(changes["priority"])
        put("priority", "priority", ticket.priority, priority, priority)
    if "type" in changes:
        kind = c.clean_type(changes["type"])
        put("type", "type", ticket.type, kind, kind)
    if "due_at" in changes:
        due = c.clean_due_at(changes["due_at"])
        put("due_at", "due_at", c.iso(ticket.due_at), c.iso(due), due)
    if "status" in changes:
        status = c.resolve_status(changes["status"])
        if status.key != ticket.status:
            diff["status"] = [ticket.status, status.key]
            if status.category != ticket.status_category:
                diff["status_category"] = [ticket.status_category, status.category]
            ticket.status, ticket.status_category = status.key, status.category
            c.category_timestamps(ticket, status.category, now)
            update_fields += ["status", "status_category", "solved_at", "closed_at"]
    _team_and_assignee(ticket, changes, put)
    if "custom_fields" in changes:
        values = validate_values("ticket", changes["custom_fields"], current=ticket.custom_fields)
        for key in sorted(set(values) | set(ticket.custom_fields)):
            old, new = ticket.custom_fields.get(key), values.get(key)
            if old != new:
                diff[f"custom_fields.{key}"] = [old, new]
        if values != ticket.custom_fields:
            ticket.custom_fields = values
            update_fields.append("custom_fields")
    _many_to_many(ticket, changes, diff)
    if diff:
        ticket.updated_at = now
        update_fields.append("updated_at")
        ticket.save(update_fields=list(dict.fromkeys(update_fields)))
        record(TicketUpdated(ticket_id=ticket.pk, changes=diff), actor=actor)
    return diff


def _team_and_assignee(ticket: Ticket, changes: dict[str, Any], put: Any) -> None:
    if "team" not in changes and "assignee" not in changes:
        return
    team = c.resolve_team(changes["team"]) if "team" in changes else ticket.team
    if "assignee" in changes:
        assignee = c.resolve_assignee(changes["assignee"], team)
    else:
        # moving to a team the current assignee is not in leaves the ticket unassigned
        assignee = ticket.assignee
        if (
            assignee is not None
            and team is not None
            and team.pk != ticket.team_id
            and not team.members.filter(pk=assignee.pk).exists()
        ):
            assignee = None
    put("team_id", "team", ticket.team_id, team.pk if team else None, team)
    put("assignee_id", "assignee", ticket.assignee_id, assignee.pk if assignee else None, assignee)


def _many_to_many(ticket: Ticket, changes: dict[str, Any], diff: dict[str, list[Any]]) -> None:
    if {"tags", "add_tags", "remove_tags"} & set(changes):
        current = sorted(ticket.tags.values_list("name", flat=True))
        if "tags" in changes:
            wanted = set(normalise_tags(changes["tags"] or []))
        else:
            wanted = (set(current) | set(normalise_tags(changes.get("add_tags") or []))) - set(
                normalise_tags(changes.get("remove_tags") or [])
            )
        if wanted != set(current):
            ticket.tags.set(tags_ensure(sorted(wanted)))
            diff["tags"] = [current, sorted(wanted)]
    if "followers" in changes:
        users = c.resolve_followers(changes["followers"] or [])
        current_ids = sorted(ticket.followers.values_list("pk", flat=True))
        new_ids = sorted(u.pk for u in users)
        if current_ids != new_ids:
            ticket.followers.set(users)
            diff["followers"] = [current_ids, new_ids]
    if "ccs" in changes:
        contacts = c.resolve_ccs(changes["ccs"] or [])
        current_ids = sorted(ticket.ccs.values_list("pk", flat=True))
        new_ids = sorted(x.pk for x in contacts)
        if current_ids != new_ids:
            ticket.ccs.set(contacts)
            diff["ccs"] = [current_ids, new_ids]
