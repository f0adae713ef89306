"""Optimistic concurrency for ticket_update (DESIGN.md §4.8, docs/decisions/0007).

Two checks, both made under the ticket's row lock:

- per field: the editor sends, for each field they change, the value they last saw
  (``expected``). A field whose new value is the value they saw is not a change and is dropped
  (never written); a field that someone else changed since (the stored value is neither what they
  saw nor what they set) refuses the whole update with ``FieldConflict`` (409), naming the field,
  the other person and both values in words;
- whole ticket: ``if_version`` (the API's ``If-Match``) must be the ticket's ``version``, else
  ``StaleVersion`` (412).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frontdesk.accounts.models import Team, User
from frontdesk.core.errors import Conflict, FrontdeskError, ValidationError
from frontdesk.customers.models import Contact
from frontdesk.fields.models import CustomField, FieldType
from frontdesk.fields.services import definitions, normalise_tags
from frontdesk.tickets.models import Priority, Ticket, TicketAudit, TicketStatus, TicketType
from frontdesk.tickets.services import _common as c

LABELS = {
    "subject": gettext_lazy("Subject"),
    "status": gettext_lazy("Status"),
    "priority": gettext_lazy("Priority"),
    "type": gettext_lazy("Type"),
    "team": gettext_lazy("Team"),
    "assignee": gettext_lazy("Assignee"),
    "tags": gettext_lazy("Tags"),
    "due_at": gettext_lazy("Due date"),
    "followers": gettext_lazy("Followers"),
    "ccs": gettext_lazy("CCs"),
}
# the names the audit trail gives these fields (TicketUpdated.changes)
_AUDIT_NAMES = {"team": "team_id", "assignee": "assignee_id"}
CHECKED = frozenset(LABELS) | {"custom_fields"}


class StaleVersion(FrontdeskError):
    """The ticket changed since you read it."""

    status = 412
    code = "precondition_failed"


@dataclass(frozen=True)
class StaleField:
    """One field someone else changed since the editor read it."""

    field: str  # as ticket_update takes it: "priority", "custom_fields.plan"
    label: str  # "Priority"
    yours: str  # what the editor set, in words ("Low")
    theirs: str  # what is stored now, in words ("Urgent")
    current: Any  # what is stored now, in ticket_update's terms (4), to start again from
    by: str  # who made the stored change ("Ana Lima", "You"; "Someone" when the trail does not say)

    @property
    def message(self) -> str:
        return _("%(by)s changed %(field)s to %(theirs)s since you opened this ticket; your change (%(yours)s) "
                 "was not saved.") % {"by": self.by, "field": self.label, "theirs": self.theirs, "yours": self.yours}


class FieldConflict(Conflict):
    """Someone else changed a field since you read it."""

    code = "edit_conflict"

    def __init__(self, stale: list[StaleField]):
        self.stale = stale
        super().__init__(
            " ".join(s.message for s in stale),
            fields={s.field: _("changed to %(theirs)s by %(by)s; yours (%(yours)s) was not saved")
                    % {"theirs": s.theirs, "by": s.by, "yours": s.yours} for s in stale},
        )


def check_version(ticket: Ticket, if_version: int | Iterable[int] | None) -> None:
    if if_version is None:
        return
    wanted = {if_version} if isinstance(if_version, int) else set(if_version)
    if ticket.version not in wanted:
        raise StaleVersion(
            _("Ticket #%(n)s changed since you read it (it is now at version %(v)s): read it again, then retry.")
            % {"n": ticket.pk, "v": ticket.version},
            fields={"If-Match": f'the current ETag is "{ticket.version}"'},
        )


def check_expected(expected: Any) -> dict[str, Any]:
    if expected is None:
        return {}
    if not isinstance(expected, dict):
        raise ValidationError("expected must be an object.", fields={"expected": "field -> the value you saw"})
    unknown = set(expected) - CHECKED
    if unknown:
        raise ValidationError(
            "Unknown fields in expected.", fields={f"expected.{k}": "unknown field" for k in sorted(unknown)}
        )
    if "custom_fields" in expected and not isinstance(expected["custom_fields"], dict):
        raise ValidationError(
            "expected custom_fields must be an object.", fields={"expected.custom_fields": "an object"}
        )
    return expected


def reconcile(*, by: User | None, ticket: Ticket, changes: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    """The changes that really change something; raises FieldConflict (changing nothing) when a
    field the editor changes was changed by someone else since they saw it."""
    if not expected:
        return changes
    out = dict(changes)
    stale: list[StaleField] = []
    for field in sorted(set(changes) & set(expected) - {"custom_fields"}):
        norm = _NORMS[field]
        new, seen, now = norm(changes[field]), _lenient(norm, expected[field]), _stored(ticket, field)
        if new == seen:
            del out[field]
        elif now not in (seen, new):
            stale.append(_stale(by, ticket, field, LABELS[field], now, _words(field, new), _words(field, now)))
    if "custom_fields" in changes and "custom_fields" in expected and isinstance(changes["custom_fields"], dict):
        defs = definitions("ticket")
        values = dict(changes["custom_fields"])
        for key in sorted(set(values) & set(expected["custom_fields"])):
            d = defs.get(key)
            if d is None:
                continue  # apply_changes says it is unknown
            new, seen = _cf_norm(d, values[key]), _cf_norm(d, expected["custom_fields"][key])
            now = _cf_norm(d, ticket.custom_fields.get(key))
            if new == seen:
                del values[key]
            elif now not in (seen, new):
                stale.append(_stale(by, ticket, f"custom_fields.{key}", d.label, now,
                                    _cf_words(d, new), _cf_words(d, now)))
        if values:
            out["custom_fields"] = values
        else:
            del out["custom_fields"]
    if stale:
        raise FieldConflict(stale)
    return out


def _stale(by: User | None, ticket: Ticket, field: str, label: Any, now: Any, yours: str, theirs: str) -> StaleField:
    name = _AUDIT_NAMES.get(field, field)
    last = (TicketAudit.objects.filter(ticket_id=ticket.pk, field=name).select_related("actor_user")
            .order_by("-created_at", "-pk").first())
    if last is None:
        who = _("Someone")
    elif by is not None and last.actor_user_id == by.pk:
        who = _("You")
    elif last.actor_user is not None:
        who = str(last.actor_user)
    else:
        who = last.actor_label or _("Someone")
    current = now
    if field == "due_at":
        current = ticket.due_at.isoformat() if ticket.due_at else None
    return StaleField(field=field, label=str(label), yours=yours, theirs=theirs, current=current, by=who)


# normalisers: each turns a value as ticket_update takes it into one that compares as the stored one does


def _lenient(norm: Callable[[Any], Any], value: Any) -> Any:
    """What the editor saw may no longer be valid (a status since deactivated): compare it raw."""
    try:
        return norm(value)
    except ValidationError:
        return value


def _pk(value: Any) -> int | None:
    if value in (None, ""):
        return None
    return value.pk if hasattr(value, "pk") else value


def _pks(value: Any) -> list[Any]:
    if not isinstance(value, (list, tuple, set)):
        return [value]
    return sorted({_pk(v) for v in value}, key=str)


def _minute(value: datetime | None) -> str | None:
    """Due dates compare to the minute: the page's date-time input shows no seconds."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(second=0, microsecond=0).isoformat()


_NORMS: dict[str, Callable[[Any], Any]] = {
    "subject": c.clean_subject,
    "status": lambda v: v if isinstance(v, str) else str(v),
    "priority": c.clean_priority,
    "type": c.clean_type,
    "team": _pk,
    "assignee": _pk,
    "due_at": lambda v: _minute(c.clean_due_at(v)),
    "tags": lambda v: sorted(set(normalise_tags(list(v or [])))),
    "followers": lambda v: _pks(v or []),
    "ccs": lambda v: _pks(v or []),
}


def _stored(ticket: Ticket, field: str) -> Any:
    if field == "team":
        return ticket.team_id
    if field == "assignee":
        return ticket.assignee_id
    if field == "due_at":
        return _minute(ticket.due_at)
    if field == "tags":
        return sorted(ticket.tags.values_list("name", flat=True))
    if field in ("followers", "ccs"):
        return sorted(getattr(ticket, field).values_list("pk", flat=True), key=str)
    return getattr(ticket, field)


def _words(field: str, value: Any) -> str:
    """A value as people read it: labels, names and dates, not keys and ids."""
    if field == "priority":
        return str(Priority(value).label) if value in Priority.values else str(value)
    if field == "type":
        return str(TicketType(value).label) if value in TicketType.values else str(value)
    if field == "status":
        status = TicketStatus.objects.filter(key=value).first()
        return status.label if status else str(value)
    if field == "team":
        team = Team.objects.filter(pk=value).first() if c.is_id(value) else None
        return team.name if team else _("no team")
    if field == "assignee":
        user = User.objects.filter(pk=value).first() if c.is_id(value) else None
        return str(user) if user else _("unassigned")
    if field == "due_at":
        if not value:
            return _("no due date")
        return formats.date_format(timezone.localtime(datetime.fromisoformat(value)), "DATETIME_FORMAT")
    if field == "tags":
        return ", ".join(value) if value else _("no tags")
    if field in ("followers", "ccs"):
        ids = [v for v in value if c.is_id(v)]
        model = User if field == "followers" else Contact
        names = {x.pk: str(x) for x in model.objects.filter(pk__in=ids)}  # type: ignore[attr-defined]
        return ", ".join(names.get(i, f"#{i}") for i in ids) if ids else _("nobody")
    return str(value)


def _cf_norm(d: CustomField, value: Any) -> Any:
    if d.type == FieldType.CHECKBOX:
        return bool(value) if value not in (None, "") else False
    if value in (None, "", []):
        return None
    if d.type == FieldType.NUMBER and not isinstance(value, bool):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return value
        if number.is_finite():
            return int(number) if number == number.to_integral_value() else float(number)
        return value
    if d.type == FieldType.MULTISELECT and isinstance(value, list):
        return sorted(set(map(str, value)))
    return value


def _cf_words(d: CustomField, value: Any) -> str:
    if d.type == FieldType.CHECKBOX:
        return _("yes") if value else _("no")
    if value is None:
        return _("empty")
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)
