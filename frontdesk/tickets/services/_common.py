"""Validation and small helpers shared by the ticket services."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from frontdesk.accounts.models import FULL_AGENT_ROLES, STAFF_ROLES, Team, User
from frontdesk.brands.models import Brand
from frontdesk.core import channels
from frontdesk.core.errors import NotFound, PermissionDenied, ValidationError
from frontdesk.core.ids import MAX_ID
from frontdesk.core.reads import read_one
from frontdesk.customers.models import Contact
from frontdesk.tickets import policies
from frontdesk.tickets.filters import PRIORITY_NAMES
from frontdesk.tickets.models import Priority, StatusCategory, Ticket, TicketStatus, TicketType

CLOSED_MESSAGE = "This ticket is closed; closed tickets take a follow-up."


def is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


# C0 and C1 control characters, DEL, and the Unicode line and paragraph separators
_SUBJECT_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def clean_subject(subject: Any) -> str:
    """One line: line breaks, tabs and other control characters become single spaces (the subject
    goes into the Subject header of every mail about the ticket; mail that arrives with an encoded
    line break in its subject must still open a ticket, so this folds rather than refuses)."""
    if not isinstance(subject, str):
        raise ValidationError("A ticket needs a subject.", fields={"subject": "required"})
    subject = " ".join(_SUBJECT_BREAKS.sub(" ", subject).split())
    if not subject:
        raise ValidationError("A ticket needs a subject.", fields={"subject": "required"})
    if len(subject) > 300:
        raise ValidationError("The subject is too long.", fields={"subject": "at most 300 characters"})
    return subject


def clean_priority(value: Any) -> int:
    if isinstance(value, str) and value.lower() in PRIORITY_NAMES:
        return PRIORITY_NAMES[value.lower()]
    if isinstance(value, int) and not isinstance(value, bool) and value in Priority.values:
        return value
    raise ValidationError(
        "Unknown priority.", fields={"priority": "one of low, normal, high, urgent (or 1-4)"}
    )


def clean_choice(field: str, value: Any, choices: list[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValidationError(f"Unknown {field}.", fields={field: f"one of {', '.join(choices)}"})
    return value


def clean_type(value: Any) -> str:
    return clean_choice("type", value, list(TicketType.values))


def clean_channel(value: Any) -> str:
    return clean_choice("channel", value, channels.values())


def clean_due_at(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValidationError("due_at is not a date-time.", fields={"due_at": "an ISO 8601 date-time"})
        value = parsed
    if not isinstance(value, datetime):
        raise ValidationError("due_at is not a date-time.", fields={"due_at": "an ISO 8601 date-time"})
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value


def resolve_status(key: Any) -> TicketStatus:
    if not isinstance(key, str):
        raise ValidationError("Unknown status.", fields={"status": "the key of an active status"})
    status = TicketStatus.objects.filter(key=key, active=True).first()
    if status is None:
        raise ValidationError("Unknown status.", fields={"status": f"no active status {key!r}"})
    return status


def resolve_team(value: Any) -> Team | None:
    if value is None or isinstance(value, Team):
        return value
    team = Team.objects.filter(pk=value).first() if is_id(value) else None
    if team is None:
        raise ValidationError("Unknown team.", fields={"team": "no such team"})
    return team


def resolve_assignee(value: Any, team: Team | None) -> User | None:
    """An active full agent; when the ticket has a team, one of its members."""
    if value is None:
        return None
    user = (
        value
        if isinstance(value, User)
        else (User.objects.filter(pk=value).first() if is_id(value) else None)
    )
    if user is None or not user.is_active or user.role not in FULL_AGENT_ROLES:
        raise ValidationError(
            "The assignee must be an active agent.", fields={"assignee": "not an active agent"}
        )
    if team is not None and not team.members.filter(pk=user.pk).exists():
        raise ValidationError(
            "The assignee is not a member of the ticket's team.",
            fields={"assignee": "not a member of the team"},
        )
    return user


def resolve_followers(values: Any) -> list[User]:
    if not isinstance(values, (list, tuple)):
        raise ValidationError("followers must be a list.", fields={"followers": "a list of agent ids"})
    ids = [v.pk if isinstance(v, User) else v for v in values]
    if not all(is_id(i) for i in ids):
        raise ValidationError("followers must be agent ids.", fields={"followers": "a list of agent ids"})
    users = list(User.objects.filter(pk__in=set(ids), is_active=True, role__in=STAFF_ROLES))
    if len(users) != len(set(ids)):
        raise ValidationError(
            "Followers must be active agents.", fields={"followers": "unknown or inactive agent"}
        )
    return users


def resolve_ccs(values: Any) -> list[Contact]:
    if not isinstance(values, (list, tuple)):
        raise ValidationError("ccs must be a list.", fields={"ccs": "a list of contact ids"})
    ids = [v.pk if isinstance(v, Contact) else v for v in values]
    if not all(is_id(i) for i in ids):
        raise ValidationError("ccs must be contact ids.", fields={"ccs": "a list of contact ids"})
    contacts = list(Contact.objects.filter(pk__in=set(ids)))
    if len(contacts) != len(set(ids)):
        raise ValidationError("Unknown contact in ccs.", fields={"ccs": "unknown contact"})
    return contacts


def resolve_brand(value: Any) -> Brand | None:
    if value is None or isinstance(value, Brand):
        return value
    brand = Brand.objects.filter(pk=value).first() if is_id(value) else None
    if brand is None:
        raise ValidationError("Unknown brand.", fields={"brand": "no such brand"})
    return brand


_REQUESTER_FIELDS = ("id", "name", "primary_email", "organisation_id", "user_id", "merged_into_id")


@cache
def _REQUESTER_DEFERRED() -> tuple[str, ...]:  # noqa: N802 - a constant, computed once the models are ready
    return tuple(f.name for f in Contact._meta.concrete_fields if f.attname not in _REQUESTER_FIELDS)


def resolve_requester(value: Any) -> Contact:
    if isinstance(value, Contact):
        return value
    # only the columns a ticket needs, in SQL compiled once: this runs on every ticket created by id
    # (API, channels); the other columns are deferred, as with .only()
    contact = read_one(Contact, '"id" = %s', [value], defer=_REQUESTER_DEFERRED()) if is_id(value) else None
    if contact is None:
        raise ValidationError("Unknown requester.", fields={"requester": "no such contact"})
    return contact


def require_visible(by: User | None, ticket: Ticket) -> None:
    """A person acting on a ticket must see it (404 otherwise); None is the system."""
    if by is not None and not policies.can_view(by, ticket):
        raise NotFound("Ticket not found.")


def require_may_edit(by: User | None, source: Ticket | int) -> None:
    """Refuse people who may change no ticket (customers) on the ticket they act from, before any
    other ticket (a merge or link target) is looked up: otherwise the answer (404 for a target that
    does not exist, 403 for one that does) tells them which ticket ids exist. 404 when they may not
    see ``source`` either."""
    if by is None or policies.can_edit(by):
        return
    ticket = source if isinstance(source, Ticket) else Ticket.objects.filter(pk=source).first()
    if ticket is None:
        raise NotFound("Ticket not found.")
    require_visible(by, ticket)
    raise PermissionDenied("You may not change tickets.")


def require_editor(by: User | None, ticket: Ticket) -> None:
    if by is None:
        return
    require_visible(by, ticket)
    if not policies.can_edit(by):
        raise PermissionDenied("You may not change tickets.")


def category_timestamps(ticket: Ticket, category: str, now: datetime) -> None:
    """Set or clear solved_at / closed_at for a new status category."""
    if category == StatusCategory.SOLVED:
        ticket.solved_at = ticket.solved_at or now
        ticket.closed_at = None
    elif category == StatusCategory.CLOSED:
        ticket.solved_at = ticket.solved_at or now
        ticket.closed_at = ticket.closed_at or now
    else:
        ticket.solved_at = None
        ticket.closed_at = None


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
