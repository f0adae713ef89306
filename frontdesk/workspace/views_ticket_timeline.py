"""The ticket page's timeline: messages and the audit trail folded together, one line per event."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from frontdesk.accounts.models import User
from frontdesk.fields.models import CustomField
from frontdesk.tickets.channel_page import PageParts, Part
from frontdesk.tickets.models import LinkKind, Message, Priority, TicketAudit, TicketStatus, TicketType

# the order of the changes within one line: the ones agents look for first
_RANK = {name: i for i, name in enumerate(("status", "priority", "assignee_id", "team_id", "type", "subject"))}
# audit actions already visible as something else on the page
_SHOWN_ELSEWHERE = frozenset({"message_added"})


@dataclass
class AuditLine:
    """One event of the audit trail, as one sentence: "Dana set status to Pending, priority to High"."""

    id: int
    at: datetime
    actor: str
    parts: list[tuple[int, str]] = field(default_factory=list)
    action: str = ""

    @property
    def text(self) -> str:
        return f"{self.actor} {', '.join(text for _rank, text in sorted(self.parts))}"


@dataclass
class Names:
    """Labels for ids and keys that appear in audit values (loaded once per page)."""

    statuses: dict[str, str]
    users: dict[int, str]
    teams: dict[int, str]
    fields: dict[str, CustomField]


def actor_name(row: TicketAudit) -> str:
    if row.actor_kind == "rule":
        return _("Rule “%(name)s”") % {"name": row.actor_label}
    if row.actor_user is not None:
        return str(row.actor_user)
    if row.actor_kind == "system":
        return _("Frontdesk")
    return row.actor_label or _("Someone")


def user_ids_in(rows: Iterable[TicketAudit]) -> set[int]:
    """Agents named in audit values (assignees, followers) whose names the lines need."""
    ids: set[int] = set()
    for row in rows:
        if row.field == "assignee_id":
            ids.update(v for v in (row.old_value, row.new_value) if isinstance(v, int))
        elif row.field == "followers":
            for value in (row.old_value, row.new_value):
                ids.update(v for v in value or [] if isinstance(v, int))
    return ids


def _value(field_name: str, value: Any, names: Names) -> str:
    if value is None or value == "" or value == []:
        return _("nothing")
    if field_name == "status":
        return names.statuses.get(str(value), str(value))
    if field_name == "priority":
        return str(Priority(value).label) if value in Priority.values else str(value)
    if field_name == "type":
        return str(TicketType(value).label) if value in TicketType.values else str(value)
    if field_name == "team_id":
        return names.teams.get(value, f"#{value}")
    if field_name == "assignee_id":
        return names.users.get(value, f"#{value}")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _updated_part(row: TicketAudit, names: Names) -> str:
    f, old, new = row.field, row.old_value, row.new_value
    if f == "assignee_id":
        return _("assigned it to %(who)s") % {"who": _value(f, new, names)} if new else _("unassigned it")
    if f == "team_id":
        return _("moved it to team %(team)s") % {"team": _value(f, new, names)} if new else _("removed the team")
    if f == "tags":
        added = sorted(set(new or []) - set(old or []))
        removed = sorted(set(old or []) - set(new or []))
        bits = []
        if added:
            bits.append(_("added tags %(tags)s") % {"tags": ", ".join(added)})
        if removed:
            bits.append(_("removed tags %(tags)s") % {"tags": ", ".join(removed)})
        return ", ".join(bits) or _("changed tags")
    if f == "followers":
        added_ids = sorted(set(new or []) - set(old or []))
        removed_ids = sorted(set(old or []) - set(new or []))
        bits = []
        if added_ids:
            who = ", ".join(names.users.get(i, f"#{i}") for i in added_ids)
            bits.append(_("added follower %(who)s") % {"who": who})
        if removed_ids:
            who = ", ".join(names.users.get(i, f"#{i}") for i in removed_ids)
            bits.append(_("removed follower %(who)s") % {"who": who})
        return ", ".join(bits) or _("changed followers")
    if f == "ccs":
        return _("changed the people copied")
    if f == "due_at":
        return _("set the due date") if new else _("removed the due date")
    if f.startswith("custom_fields."):
        key = f.split(".", 1)[1]
        definition = names.fields.get(key)
        label = definition.label if definition else key
        if new is None:
            return _("cleared %(field)s") % {"field": label}
        return _("set %(field)s to %(value)s") % {"field": label, "value": _value(f, new, names)}
    labels = {"status": _("status"), "priority": _("priority"), "type": _("type"), "subject": _("subject")}
    return _("set %(field)s to %(value)s") % {"field": labels.get(f, f), "value": _value(f, new, names)}


def _other(value: Any) -> str:
    return f"#{value.get('ticket_id')}" if isinstance(value, dict) else "?"


def _part(row: TicketAudit, names: Names) -> str:
    action, value = row.action, row.new_value
    if action == "created":
        return _("created the ticket")
    if action == "updated":
        return _updated_part(row, names)
    if action == "merged_into":
        return _("merged this ticket into %(other)s") % {"other": _other(value)}
    if action == "merged_from":
        return _("merged %(other)s into this ticket") % {"other": _other(value)}
    if action == "split":
        if row.field == "split_to":
            return _("split messages off into %(other)s") % {"other": _other(value)}
        return _("split this ticket off from %(other)s") % {"other": _other(value)}
    if action in ("linked", "unlinked"):
        kind = value.get("kind") if isinstance(value, dict) else ""
        kind_label = str(LinkKind(kind).label) if kind in LinkKind.values else str(kind)
        args = {"other": _other(value), "kind": kind_label}
        if action == "linked":
            if row.field == "linked_from":
                return _("linked %(other)s to this ticket (%(kind)s)") % args
            return _("linked this ticket to %(other)s (%(kind)s)") % args
        if row.field == "linked_from":
            return _("removed the link from %(other)s (%(kind)s)") % args
        return _("removed the link to %(other)s (%(kind)s)") % args
    return action.replace("_", " ")


def audit_lines(rows: Iterable[TicketAudit], names: Names) -> list[AuditLine]:
    """Audit rows grouped by the event that wrote them: one line per event."""
    lines: list[AuditLine] = []
    by_event: dict[int, AuditLine] = {}
    for row in rows:
        if row.action in _SHOWN_ELSEWHERE:
            continue
        line = by_event.get(row.event_id) if row.event_id is not None else None
        if line is None:
            line = AuditLine(id=row.pk, at=row.created_at, actor=actor_name(row), action=row.action)
            lines.append(line)
            if row.event_id is not None:
                by_event[row.event_id] = line
        line.parts.append((_RANK.get(row.field, len(_RANK)), _part(row, names)))
    return lines


@dataclass
class Entry:
    kind: str  # "message" or "audit"
    at: datetime
    message: Message | None = None
    audit: AuditLine | None = None
    # what channels add to a message (frontdesk.tickets.channel_page): header links, warnings, deliveries
    header: list[Part] = field(default_factory=list)
    before_body: list[Part] = field(default_factory=list)
    after_body: list[Part] = field(default_factory=list)


def fold(messages: list[Message], lines: list[AuditLine], parts: PageParts | None = None) -> list[Entry]:
    """Messages and audit lines in time order (a message before the changes made with it)."""
    extra = parts or PageParts()
    entries = [
        Entry("message", m.created_at, message=m, header=extra.header.get(m.pk, []),
              before_body=extra.before_body.get(m.pk, []), after_body=extra.after_body.get(m.pk, []))
        for m in messages
    ]
    entries += [Entry("audit", a.at, audit=a) for a in lines]
    entries.sort(key=lambda e: (e.at, 0 if e.kind == "message" else 1))
    return entries


def names_for(*, statuses: Iterable[TicketStatus], users: Iterable[User], teams: Iterable[Any],
              fields: dict[str, CustomField]) -> Names:
    return Names(
        statuses={s.key: s.label for s in statuses},
        users={u.pk: str(u) for u in users},
        teams={t.pk: t.name for t in teams},
        fields=fields,
    )
