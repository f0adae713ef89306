"""Links between tickets (related, follow-up, incident of a problem) and solving a problem."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from frontdesk.accounts.acting import acting_user
from frontdesk.accounts.models import User
from frontdesk.core.actor import Actor
from frontdesk.core.errors import Conflict, NotFound, ValidationError
from frontdesk.core.events import record
from frontdesk.tickets import policies
from frontdesk.tickets.events import TicketLinked, TicketUnlinked
from frontdesk.tickets.models import UNRESOLVED, LinkKind, MessageKind, Ticket, TicketLink, TicketType
from frontdesk.tickets.services import _common as c
from frontdesk.tickets.services.messages import message_add
from frontdesk.tickets.services.update import apply_changes, lock_ticket

# merged_into and split_from are made by tickets_merge and ticket_split only
USER_KINDS = (LinkKind.RELATED.value, LinkKind.INCIDENT_OF.value, LinkKind.FOLLOW_UP_OF.value)


def _tickets(by: User | None, source: Ticket | int, target: Ticket | int) -> tuple[Ticket, Ticket]:
    c.require_may_edit(by, source)
    src = source if isinstance(source, Ticket) else Ticket.objects.filter(pk=source).first()
    dst = target if isinstance(target, Ticket) else Ticket.objects.filter(pk=target).first()
    if src is None or dst is None:
        raise NotFound("Ticket not found.")
    c.require_editor(by, src)
    c.require_editor(by, dst)
    return src, dst


def ticket_link(
    *, actor: Actor, source: Ticket | int, target: Ticket | int, kind: str
) -> TicketLink:
    """Link ``source`` to ``target``. ``incident_of`` makes source an incident of the problem target."""
    by = acting_user(actor)
    if kind not in USER_KINDS:
        raise ValidationError("Unknown link kind.", fields={"kind": f"one of {', '.join(USER_KINDS)}"})
    src, dst = _tickets(by, source, target)
    if src.pk == dst.pk:
        raise ValidationError("A ticket cannot be linked to itself.", fields={"target": "same ticket"})
    if kind == LinkKind.INCIDENT_OF:
        if dst.type != TicketType.PROBLEM:
            raise ValidationError("Incidents link to a problem ticket.", fields={"target": "not a problem"})
        if src.type == TicketType.PROBLEM:
            raise ValidationError("A problem cannot be an incident.", fields={"source": "is a problem"})
    try:
        with transaction.atomic():
            link = TicketLink.objects.create(source=src, target=dst, kind=kind)
            if kind == LinkKind.INCIDENT_OF and src.type != TicketType.INCIDENT:
                apply_changes(
                    actor=actor, ticket=lock_ticket(src), changes={"type": TicketType.INCIDENT.value}
                )
            record(TicketLinked(source_id=src.pk, target_id=dst.pk, kind=kind), actor=actor)
    except IntegrityError:
        raise Conflict("These tickets are already linked.", fields={"target": "already linked"}) from None
    return link


def ticket_unlink(
    *, actor: Actor, source: Ticket | int, target: Ticket | int, kind: str
) -> None:
    by = acting_user(actor)
    if kind not in USER_KINDS:
        raise ValidationError("Unknown link kind.", fields={"kind": f"one of {', '.join(USER_KINDS)}"})
    src, dst = _tickets(by, source, target)
    with transaction.atomic():
        deleted, _ = TicketLink.objects.filter(source=src, target=dst, kind=kind).delete()
        if not deleted:
            raise NotFound("These tickets are not linked.")
        record(TicketUnlinked(source_id=src.pk, target_id=dst.pk, kind=kind), actor=actor)


def problem_solve(*, actor: Actor, problem: Ticket | int, body: str) -> dict[str, Any]:
    """One public reply on the problem and on each unresolved incident linked to it; all become solved.

    Incidents the agent cannot see are left alone (and reported as skipped).
    """
    by = acting_user(actor)
    with transaction.atomic():
        locked = lock_ticket(problem)
        c.require_editor(by, locked)
        if locked.type != TicketType.PROBLEM:
            raise ValidationError("Only problem tickets have incidents.", fields={"problem": "not a problem"})
        message_add(
            actor=actor, ticket=locked, body=body, kind=MessageKind.PUBLIC, set_status="solved"
        )
        incidents = Ticket.objects.filter(
            links_out__target_id=locked.pk,
            links_out__kind=LinkKind.INCIDENT_OF,
            status_category__in=UNRESOLVED,
        ).order_by("pk")
        if by is not None:
            incidents = policies.visible_tickets(by, incidents)
        solved: list[int] = []
        for incident_id in incidents.values_list("pk", flat=True):
            message_add(
                actor=actor,
                ticket=incident_id,
                body=body,
                kind=MessageKind.PUBLIC,
                set_status="solved",
            )
            solved.append(incident_id)
    return {"problem_id": locked.pk, "solved_incident_ids": solved}
