"""Merging two tickets and splitting messages off into a new one."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from frontdesk.accounts.acting import acting_user
from frontdesk.accounts.models import User
from frontdesk.core.actor import Actor
from frontdesk.core.errors import Conflict, ValidationError
from frontdesk.core.events import record
from frontdesk.customers.models import Contact
from frontdesk.tickets.events import MessageAdded, TicketCreated, TicketsMerged, TicketSplit, TicketUpdated
from frontdesk.tickets.models import (
    Attachment,
    LinkKind,
    Message,
    MessageKind,
    StatusCategory,
    Ticket,
    TicketLink,
)
from frontdesk.tickets.services import _common as c
from frontdesk.tickets.services.update import lock_ticket


def _lock_pair(a: int, b: int) -> tuple[Ticket, Ticket]:
    """Lock both rows, always lowest id first, so two opposite merges cannot deadlock."""
    first, second = sorted((a, b))
    locked = {first: lock_ticket(first), second: lock_ticket(second)}
    return locked[a], locked[b]


def _note(actor: Actor, by: User | None, ticket: Ticket, body: str) -> Message:
    now = timezone.now()
    message = Message.objects.create(
        ticket=ticket,
        kind=MessageKind.NOTE,
        author_user=by,
        channel=ticket.channel,
        body=body,
        created_at=now,
    )
    record(
        MessageAdded(
            ticket_id=ticket.pk,
            message_id=message.pk,
            kind=message.kind,
            channel=message.channel,
            author_user_id=by.pk if by else None,
        ),
        actor=actor,
    )
    return message


def _recount(ticket: Ticket) -> None:
    stats = Message.objects.filter(ticket_id=ticket.pk).aggregate(last=Max("created_at"))
    ticket.message_count = Message.objects.filter(ticket_id=ticket.pk).count()
    ticket.last_message_at = stats["last"]


REQUESTER_CHOICES = ("target", "source")
CC_CHOICES = ("kept", "both")


class RequestersDiffer(Conflict):
    code = "requesters_differ"


def _who(contact: Contact) -> str:
    return f"{contact.name} <{contact.primary_email}>" if contact.primary_email else contact.name or f"#{contact.pk}"


def _check_choice(requester: str | None, ccs: str | None, other_requester_as_cc: bool) -> None:
    errors = {}
    if requester is not None and requester not in REQUESTER_CHOICES:
        errors["requester"] = "target or source"
    if ccs is not None and ccs not in CC_CHOICES:
        errors["ccs"] = "kept or both"
    if not isinstance(other_requester_as_cc, bool):
        errors["other_requester_as_cc"] = "true or false"
    if errors:
        raise ValidationError("The merge choice is not valid.", fields=errors)


def tickets_merge(
    *,
    actor: Actor,
    source: Ticket | int,
    target: Ticket | int,
    requester: str | None = None,
    ccs: str | None = None,
    other_requester_as_cc: bool = False,
) -> Ticket:
    """Move ``source``'s messages, attachments, followers, ccs and tags into ``target`` and close it.

    Whoever is the merged ticket's requester or a CC reads every message of both tickets. So when
    the two requesters differ the merge is refused (``RequestersDiffer``, 409) unless the caller
    chooses: ``requester`` — ``"target"`` keeps the target's, ``"source"`` makes the source's
    requester (and organisation) the merged ticket's; ``ccs`` — ``"kept"`` (the default then) keeps
    the CCs of the ticket whose requester is kept, ``"both"`` those of both tickets; and
    ``other_requester_as_cc`` copies the requester not kept (off by default). When the requesters
    are the same nothing needs choosing and the CCs of both tickets are kept."""
    by = acting_user(actor)
    c.require_may_edit(by, source)
    _check_choice(requester, ccs, other_requester_as_cc)
    source_id = source.pk if isinstance(source, Ticket) else source
    target_id = target.pk if isinstance(target, Ticket) else target
    if source_id == target_id:
        raise ValidationError("A ticket cannot be merged into itself.", fields={"target": "same ticket"})
    with transaction.atomic():
        src, dst = _lock_pair(source_id, target_id)
        c.require_editor(by, src)
        c.require_editor(by, dst)
        for t, name in ((src, "source"), (dst, "target")):
            if t.merged_into_id is not None:
                raise Conflict(
                    f"Ticket #{t.pk} was already merged into #{t.merged_into_id}.", fields={name: "merged"}
                )
            if t.status_category == StatusCategory.CLOSED:
                raise Conflict(f"Ticket #{t.pk} is closed and cannot be merged.", fields={name: "closed"})
        same = src.requester_id == dst.requester_id
        if not same and requester is None:
            raise RequestersDiffer(
                f"Ticket #{src.pk} and ticket #{dst.pk} have different requesters ({_who(src.requester)} and "
                f"{_who(dst.requester)}): the merged ticket's requester and CCs would read the other's "
                "messages. Choose which requester the merged ticket keeps, and whether the other is copied.",
                fields={"requester": "choose target or source"},
            )
        people = _people_after(src, dst, same=same, requester=requester or "target",
                               ccs=ccs or ("both" if same else "kept"), other_as_cc=other_requester_as_cc)
        moved = list(Message.objects.filter(ticket_id=src.pk).values_list("pk", flat=True))
        Message.objects.filter(pk__in=moved).update(ticket_id=dst.pk)
        Attachment.objects.filter(ticket_id=src.pk).update(ticket_id=dst.pk)
        dst.followers.add(*src.followers.all())
        changes = _apply_people(dst, *people)
        dst.tags.add(*src.tags.all())
        now = timezone.now()
        _note(actor, by, src, f"Merged into ticket #{dst.pk}.")
        _note(actor, by, dst, f"Ticket #{src.pk} ({src.subject}) was merged into this ticket.")
        TicketLink.objects.create(source=src, target=dst, kind=LinkKind.MERGED_INTO)
        for t in (src, dst):
            _recount(t)
            t.updated_at = now
        src.merged_into = dst
        src.status, src.status_category = StatusCategory.CLOSED.value, StatusCategory.CLOSED.value
        c.category_timestamps(src, StatusCategory.CLOSED, now)
        src.save(
            update_fields=[
                "merged_into",
                "status",
                "status_category",
                "solved_at",
                "closed_at",
                "message_count",
                "last_message_at",
                "updated_at",
            ]
        )
        dst.save(update_fields=["message_count", "last_message_at", "updated_at", "requester", "organisation"])
        record(TicketsMerged(source_id=src.pk, target_id=dst.pk, moved_message_ids=moved), actor=actor)
        if changes:
            record(TicketUpdated(ticket_id=dst.pk, changes=changes), actor=actor)
    return dst


def _people_after(
    src: Ticket, dst: Ticket, *, same: bool, requester: str, ccs: str, other_as_cc: bool
) -> tuple[Ticket, list[int]]:
    """The ticket whose requester (and organisation) the merged ticket has, and its CCs' ids."""
    kept, other = (src, dst) if requester == "source" else (dst, src)
    cc_ids = list(kept.ccs.values_list("pk", flat=True))
    if ccs == "both":
        cc_ids += list(other.ccs.values_list("pk", flat=True))
    if not same and other_as_cc:
        cc_ids.append(other.requester_id)
    return kept, sorted(set(cc_ids) - {kept.requester_id})


def _apply_people(dst: Ticket, kept: Ticket, cc_ids: list[int]) -> dict[str, list]:
    """Give ``dst`` the chosen requester and CCs; the changes as TicketUpdated spells them."""
    changes: dict[str, list] = {}
    if kept.requester_id != dst.requester_id:
        changes["requester_id"] = [dst.requester_id, kept.requester_id]
        dst.requester_id = kept.requester_id
    if kept.organisation_id != dst.organisation_id:
        changes["organisation_id"] = [dst.organisation_id, kept.organisation_id]
        dst.organisation_id = kept.organisation_id
    current = sorted(dst.ccs.values_list("pk", flat=True))
    if current != cc_ids:
        dst.ccs.set(cc_ids)
        changes["ccs"] = [current, cc_ids]
    return changes


def ticket_split(*, actor: Actor, ticket: Ticket | int, message_ids: list[int]) -> Ticket:
    """Move ``message_ids`` of ``ticket`` into a new ticket of the same requester."""
    by = acting_user(actor)
    c.require_may_edit(by, ticket)
    if not isinstance(message_ids, list) or not message_ids or not all(c.is_id(i) for i in message_ids):
        raise ValidationError(
            "Name the messages to split off.", fields={"message_ids": "a non-empty list of ids"}
        )
    with transaction.atomic():
        source = lock_ticket(ticket)
        c.require_editor(by, source)
        if source.status_category == StatusCategory.CLOSED:
            raise Conflict(c.CLOSED_MESSAGE)
        ids = set(message_ids)
        found = list(Message.objects.filter(ticket_id=source.pk, pk__in=ids).order_by("created_at", "pk"))
        if len(found) != len(ids):
            raise ValidationError(
                "Some messages are not on this ticket.", fields={"message_ids": "unknown message"}
            )
        if len(found) >= source.message_count:
            raise ValidationError(
                "At least one message must stay on the ticket.", fields={"message_ids": "all"}
            )
        now = timezone.now()
        new = Ticket.objects.create(
            brand_id=source.brand_id,
            subject=source.subject,
            status=StatusCategory.OPEN.value,
            status_category=StatusCategory.OPEN.value,
            priority=source.priority,
            type=source.type,
            channel=found[0].channel,
            team_id=source.team_id,
            assignee_id=source.assignee_id,
            requester_id=source.requester_id,
            organisation_id=source.organisation_id,
            custom_fields=dict(source.custom_fields),
            created_at=now,
            updated_at=now,
            message_count=len(found),
            last_message_at=found[-1].created_at,
        )
        Message.objects.filter(pk__in=ids).update(ticket_id=new.pk)
        Attachment.objects.filter(message_id__in=ids).update(ticket_id=new.pk)
        tags = list(source.tags.all())
        new.tags.add(*tags)
        TicketLink.objects.create(source=new, target=source, kind=LinkKind.SPLIT_FROM)
        _recount(source)
        source.updated_at = now
        source.save(update_fields=["message_count", "last_message_at", "updated_at"])
        record(
            TicketCreated(
                ticket_id=new.pk,
                fields={
                    "subject": new.subject,
                    "status": new.status,
                    "status_category": new.status_category,
                    "priority": new.priority,
                    "type": new.type,
                    "channel": new.channel,
                    "brand_id": new.brand_id,
                    "team_id": new.team_id,
                    "assignee_id": new.assignee_id,
                    "requester_id": new.requester_id,
                    "organisation_id": new.organisation_id,
                    "tags": sorted(t.name for t in tags),
                    "custom_fields": new.custom_fields,
                    "due_at": None,
                    "split_from": source.pk,
                },
            ),
            actor=actor,
        )
        record(
            TicketSplit(source_id=source.pk, new_ticket_id=new.pk, message_ids=[m.pk for m in found]),
            actor=actor,
        )
    return new
