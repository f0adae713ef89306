"""Tickets opened for a requester named by identity: an agent opening one in the workspace (for a
customer, as an email, or as a call) and an integrator posting one through the API with
``requester: {email, name, phone}``. The requester is found or created by identity in the same
transaction as the ticket, race-safe: a refused ticket leaves no new customer behind."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from frontdesk.accounts.acting import acting_person, acting_user
from frontdesk.core.actor import Actor
from frontdesk.core.errors import Conflict, PermissionDenied, ValidationError
from frontdesk.customers.models import Contact, Identity, IdentityKind
from frontdesk.customers.services import contact_create, identity_add
from frontdesk.customers.services._common import normalise_email, normalise_phone
from frontdesk.tickets.models import MessageKind, Ticket
from frontdesk.tickets.services import _common as c
from frontdesk.tickets.services.create import ticket_create

ON_BEHALF, OUTBOUND_EMAIL, PHONE_CALL = "on_behalf", "outbound_email", "phone_call"
OPENINGS = (ON_BEHALF, OUTBOUND_EMAIL, PHONE_CALL)
CALL_DIRECTIONS = {"inbound": "Incoming call", "outbound": "Outgoing call"}
MAX_CALL_MINUTES = 24 * 60


def _known_identities(email: str, phone: str) -> list[tuple[str, str, str]]:
    """(kind, normalised value, input field) of what was given; every form error at once."""
    wanted: list[tuple[str, str, str]] = []
    errors: dict[str, str] = {}
    for kind, raw, field, normalise in (
        (IdentityKind.EMAIL, email, "requester_email", normalise_email),
        (IdentityKind.PHONE, phone, "requester_phone", normalise_phone),
    ):
        if raw and raw.strip():
            try:
                wanted.append((kind, normalise(raw, field), field))
            except ValidationError as exc:
                errors.update(exc.fields)
    if errors:
        raise ValidationError("Check the new customer's details.", fields=errors)
    if not wanted:
        raise ValidationError(
            "A new customer needs an email address or a phone number.",
            fields={"requester_email": "an email address or a phone number"},
        )
    return wanted


def requester_find_or_create(
    *, actor: Actor, name: str = "", email: str = "", phone: str = ""
) -> Contact:
    """The customer this email address and/or phone number belong to, created (with ``name``)
    when neither is known: never a second contact for a known identity.

    When one is known and the other new, the new one is added to the known customer; two that
    belong to two different customers are refused. Safe under concurrent calls: when another
    writer takes an identity between the look-up and the insert, the look-up runs again and its
    contact is used. A person must be a full agent (the system acts on trust)."""
    by = acting_user(actor)
    if by is not None and not (by.is_active and by.is_full_agent):
        raise PermissionDenied("Only full agents may find or create customers.")
    if not isinstance(name, str) or len(name.strip()) > 200:
        raise ValidationError("The name is too long.", fields={"requester_name": "at most 200 characters"})
    wanted = _known_identities(email, phone)
    for attempt in range(2):
        owners: dict[str, Contact] = {}
        q = Identity.objects.none()
        for kind, value, _field in wanted:
            q = q | Identity.objects.filter(kind=kind, value=value)
        for identity in q.select_related("contact"):
            field = next(f for k, v, f in wanted if (k, v) == (identity.kind, identity.value))
            owners[field] = identity.contact
        distinct = {c.pk: c for c in owners.values()}
        if len(distinct) > 1:
            other = owners["requester_phone"]
            raise ValidationError(
                "The email address and the phone number belong to two different customers.",
                fields={"requester_phone": f"belongs to another customer ({other.name or other.pk})"},
            )
        try:
            if distinct:
                contact = next(iter(distinct.values()))
                for kind, value, field in wanted:
                    if field not in owners:
                        identity_add(actor=actor, contact=contact, kind=kind, value=value)
                return contact
            return contact_create(
                actor=actor, name=name.strip(),
                email=next((v for k, v, _f in wanted if k == IdentityKind.EMAIL), None),
                phone=next((v for k, v, _f in wanted if k == IdentityKind.PHONE), None),
            )
        except Conflict:  # another writer took one of them since the look-up: use theirs
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _call_body(body: str, direction: str | None, minutes: Any) -> str:
    """A logged call's note: what kind of call and how long, then the agent's notes."""
    if direction is not None and direction not in CALL_DIRECTIONS:
        raise ValidationError("Unknown call direction.", fields={"call_direction": "inbound or outbound"})
    if minutes is not None and (
        isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= MAX_CALL_MINUTES
    ):
        raise ValidationError(
            "The call's duration is not valid.", fields={"call_minutes": f"whole minutes, 0 to {MAX_CALL_MINUTES}"}
        )
    head = CALL_DIRECTIONS.get(direction or "", "Phone call")
    if minutes is not None:
        head += f", {minutes} min"
    return f"{head}.\n\n{body.strip()}" if isinstance(body, str) and body.strip() else ""


def ticket_open(
    *,
    actor: Actor,
    opening: str,
    requester: Contact | int | None = None,
    new_requester: dict[str, str] | None = None,
    body: str,
    call_direction: str | None = None,
    call_minutes: int | None = None,
    **fields: Any,
) -> Ticket:
    """A ticket an agent opens: ``on_behalf`` of the customer (the opening message is theirs,
    channel web), an ``outbound_email`` (the agent's public message, mailed to the customer by the
    email channel like any reply), or a ``phone_call`` logged as an internal note by the agent
    (channel phone, with its direction and duration in minutes). The requester is a contact, or
    ``new_requester`` (``name``, ``email``, ``phone``) found or created by identity, in the same
    transaction as the ticket: a refused ticket leaves no new customer behind. ``fields`` are
    ticket_create's (subject, status, priority, type, team, assignee, tags, custom_fields,
    attachments, …)."""
    by = acting_person(actor)
    if not (by.is_active and by.is_full_agent):
        raise PermissionDenied("Light agents may not open tickets.")
    if opening not in OPENINGS:
        raise ValidationError("Unknown kind of ticket.", fields={"opening": " or ".join(OPENINGS)})
    if (requester is None) == (new_requester is None):
        raise ValidationError("Choose a customer or enter a new one.", fields={"requester": "required"})
    if opening == PHONE_CALL:
        body = _call_body(body, call_direction, call_minutes)
    with transaction.atomic():
        if new_requester is not None:
            requester = requester_find_or_create(
                actor=actor, name=new_requester.get("name", ""), email=new_requester.get("email", ""),
                phone=new_requester.get("phone", ""),
            )
        contact = c.resolve_requester(requester)
        if contact.merged_into_id is not None:
            raise ValidationError(
                "This customer was merged into another one.", fields={"requester": "merged: choose the other"}
            )
        if opening == OUTBOUND_EMAIL and not contact.primary_email:
            raise ValidationError(
                "This customer has no email address.", fields={"requester": "no email address to write to"}
            )
        channel = {ON_BEHALF: "web", OUTBOUND_EMAIL: "email", PHONE_CALL: "phone"}[opening]
        agent_writes = opening != ON_BEHALF
        return ticket_create(
            actor=actor, requester=contact, body=body, channel=channel,
            author_user=by if agent_writes else None,
            opening_kind=MessageKind.NOTE if opening == PHONE_CALL else MessageKind.PUBLIC,
            **fields,
        )


def ticket_create_for_requester(
    *, actor: Actor, requester: dict[str, str], **fields: Any
) -> Ticket:
    """``ticket_create`` for a requester given by ``email`` and/or ``phone`` (and ``name`` for a new
    one), found or created by identity in the same transaction as the ticket (the API's
    ``requester`` object, as Zendesk's ``requester: {email, name}``)."""
    if not isinstance(requester, dict) or set(requester) - {"email", "name", "phone"}:
        raise ValidationError("Unknown requester fields.", fields={"requester": "email, name and phone"})
    with transaction.atomic():
        contact = requester_find_or_create(
            actor=actor, name=requester.get("name") or "", email=requester.get("email") or "",
            phone=requester.get("phone") or "",
        )
        if contact.merged_into_id is not None:  # an identity of a merged contact points to the survivor
            contact = c.resolve_requester(contact.merged_into_id)
        return ticket_create(actor=actor, requester=contact, **fields)
