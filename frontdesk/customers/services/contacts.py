"""Writes on contacts and their identities."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from frontdesk.accounts import policies as account_policies
from frontdesk.accounts.acting import acting_person, acting_user
from frontdesk.core.actor import Actor
from frontdesk.core.errors import Conflict, NotFound, ValidationError
from frontdesk.core.events import record
from frontdesk.core.inserts import insert, insert_claiming
from frontdesk.core.reads import read_one
from frontdesk.customers import search
from frontdesk.customers.events import (
    ContactCreated,
    ContactNoteAdded,
    ContactUpdated,
    IdentityAdded,
    IdentityRemoved,
)
from frontdesk.customers.models import Contact, ContactEvent, Identity, IdentityKind, Organisation
from frontdesk.customers.services._common import (
    check_profile,
    contact_event,
    normalise_email,
    normalise_identity,
    refuse_merged,
    require_editor,
    resolve_organisation,
)
from frontdesk.customers.services.organisations import organisation_id_for_email
from frontdesk.fields import services as field_services

MAX_NOTE = 10_000
_PLAIN_FIELDS = ("name", "language", "time_zone", "preferred_channel", "vip", "tier", "notes")
_UPDATABLE = {*_PLAIN_FIELDS, "organisation", "custom_fields", "tags", "primary_email"}


def _collect_identities(
    email: str | None, phone: str | None, identities: list[tuple[str, str]] | None
) -> dict[tuple[str, str], str]:
    """Normalised identities, de-duplicated, each with the input field it came from."""
    wanted: dict[tuple[str, str], str] = {}
    if email:
        wanted.setdefault(normalise_identity(IdentityKind.EMAIL, email, "email"), "email")
    if phone:
        wanted.setdefault(normalise_identity(IdentityKind.PHONE, phone, "phone"), "phone")
    for i, pair in enumerate(identities or []):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValidationError(
                "An identity is a kind and a value.", fields={f"identities.{i}": "kind and value"}
            )
        kind, value = pair
        field = f"identities.{i}"
        try:
            wanted.setdefault(normalise_identity(kind, value, field), field)
        except ValidationError as exc:
            raise ValidationError(exc.message, fields={field: next(iter(exc.fields.values()))}) from None
    return wanted


def _refuse_taken(wanted: dict[tuple[str, str], str], *, contact: Contact | None = None) -> None:
    if not wanted:
        return
    q = Q()
    for kind, value in wanted:
        q |= Q(kind=kind, value=value)
    taken = Identity.objects.filter(q)
    if contact is not None:
        taken = taken.exclude(contact=contact)
    clashes = {wanted[(i.kind, i.value)]: "already used by another contact" for i in taken}
    if clashes:
        raise Conflict("An identity belongs to another contact.", fields=clashes)


UNIQUE = ("kind", "value")  # Identity's unique constraint


def _insert_identities(contact: Contact, pairs: list[tuple[str, str]]) -> list[Identity]:
    """Insert identities; the first of each kind is primary. Raises IntegrityError when one is taken."""
    seen: set[str] = set()
    rows = []
    for kind, value in pairs:
        rows.append(Identity(contact=contact, kind=kind, value=value, is_primary=kind not in seen))
        seen.add(kind)
    return Identity.objects.bulk_create(rows)


def _create(
    *,
    actor: Actor,
    pairs: list[tuple[str, str]],
    organisation: Organisation | None,
    custom_fields: dict,
    tags: list,
    profile: dict[str, Any],
    claim: bool = False,
) -> Contact | None:
    """A new contact with its identities, its organisation by its email's domain when not given.
    ``claim`` (one identity): None, with nothing written, when another writer holds the identity."""
    primary_email = next((v for k, v in pairs if k == IdentityKind.EMAIL), "")
    contact = Contact(organisation=organisation, primary_email=primary_email, custom_fields=custom_fields, **profile)
    if organisation is None and primary_email:
        contact.organisation_id = organisation_id_for_email(primary_email)
    values = [v for _, v in pairs]
    vector = search.new_contact_columns(contact, values)  # PostgreSQL: the index entry in the INSERT
    if claim:  # every new sender of an email: the contact and its identity in one statement
        (kind, value), = pairs
        identity = Identity(kind=kind, value=value, is_primary=True)
        if not insert_claiming(contact, identity, fk="contact", unique=UNIQUE, sql=vector):
            contact.delete()  # another writer holds the identity: its contact is the one
            return None
    else:
        insert(contact, sql=vector)  # SQL compiled once
        _insert_identities(contact, pairs)
    if tags:
        contact.tags.set(tags)
    record(
        ContactCreated(contact_id=contact.pk),
        actor=actor,
        hints={"contact": contact, "identity_values": values, "indexed": vector is not None},
    )
    return contact


def contact_create(
    *,
    actor: Actor,
    name: str = "",
    email: str | None = None,
    phone: str | None = None,
    identities: list[tuple[str, str]] | None = None,
    organisation: Organisation | int | None = None,
    language: str = "",
    time_zone: str = "",
    preferred_channel: str = "",
    vip: bool = False,
    tier: str = "",
    notes: str = "",
    custom_fields: dict[str, Any] | None = None,
    tags: list[str] | None = None,
) -> Contact:
    """Create a contact. The system (a channel) acts on trust; a person must be a full agent."""
    by = acting_user(actor)
    require_editor(by)
    profile = {
        "name": name,
        "language": language,
        "time_zone": time_zone,
        "preferred_channel": preferred_channel,
        "vip": vip,
        "tier": tier,
        "notes": notes,
    }
    check_profile(profile)
    wanted = _collect_identities(email, phone, identities)
    with transaction.atomic():
        org = resolve_organisation(organisation)
        values = {}
        if custom_fields is not None or by is not None:
            values = field_services.validate_values("contact", custom_fields or {})
        tag_rows = field_services.tags_ensure(tags) if tags else []
        _refuse_taken(wanted)
        try:
            with transaction.atomic():
                created = _create(
                    actor=actor,
                    pairs=list(wanted),
                    organisation=org,
                    custom_fields=values,
                    tags=tag_rows,
                    profile=profile,
                )
                assert created is not None  # (None only when claiming)
                return created
        except IntegrityError:  # another writer took an identity since the check
            _refuse_taken(wanted)
            raise


_IDENTITY_TABLE = Identity._meta.db_table


def _owner_of(kind: str, value: str) -> Contact | None:
    # read for every incoming message: SQL compiled once (core/reads.py); (kind, value) is unique
    return read_one(
        Contact,
        f'"id" = (SELECT "contact_id" FROM {_IDENTITY_TABLE} WHERE "kind" = %s AND "value" = %s)',  # noqa: S608 - a constant table name
        [kind, value],
        defer=("search_vector",),
    )


def claim_identity(*, actor: Actor, kind: str, value: str, name: str = "") -> Contact:
    """Create a contact for a normalised identity, or return its owner if another writer got there first.

    The unique constraint on Identity decides the race, with no savepoint (``INSERT … ON CONFLICT
    DO NOTHING``, a round trip each way less on every new sender): the loser removes the contact it
    had just inserted and reads the winner's."""
    with transaction.atomic(savepoint=False):
        created = _create(
            actor=actor,
            pairs=[(kind, value)],
            organisation=None,
            custom_fields={},
            tags=[],
            profile={"name": (name or "").strip()[:200]},
            claim=True,
        )
        owner = created or _owner_of(kind, value)
    if owner is None:  # the winner's contact went between its claim and this read
        raise IntegrityError(f"the {kind} identity {value!r} was claimed and released at once")
    return owner


def identity_owners(kind: str, values: Iterable[str]) -> dict[str, Contact]:
    """The contacts owning these identities, by normalised value, read in one query (values that
    are not valid identities are left out): what a batch writer reads once for all its items,
    then passes to ``contact_for_identity(known=...)`` for each."""
    wanted: set[str] = set()
    for raw in values:
        try:
            wanted.add(normalise_identity(kind, raw)[1])
        except ValidationError:
            continue
    if not wanted:
        return {}
    rows = Identity.objects.filter(kind=kind, value__in=wanted).select_related("contact")
    return {row.value: row.contact for row in rows.defer("contact__search_vector")}


def contact_for_identity(
    *, actor: Actor, kind: str, value: str, name: str = "", known: dict[str, Contact] | None = None
) -> Contact:
    """The contact owning this email/phone/handle, created if new. Safe under concurrent calls.
    ``known``: the owners of one kind that a batch writer read in this transaction
    (``identity_owners``), updated here with the contacts claimed; a value not among them had no
    owner then, so it is claimed without another look-up (a writer that got there since wins the
    claim, and its contact is returned). A writer whose item rolls back drops what it added."""
    kind, value = normalise_identity(kind, value)
    found = known.get(value) if known is not None else _owner_of(kind, value)
    if found is not None:
        return found
    claimed = claim_identity(actor=actor, kind=kind, value=value, name=name)
    if known is not None:
        known[value] = claimed
    return claimed


def _set_primary_email(contact: Contact, raw: str) -> str:
    email = normalise_email(raw, "primary_email") if raw else ""
    if email and not contact.identities.filter(kind=IdentityKind.EMAIL, value=email).exists():
        raise ValidationError(
            "The primary email must be one of the contact's addresses.",
            fields={"primary_email": "add it as an identity first"},
        )
    contact.identities.filter(kind=IdentityKind.EMAIL).update(is_primary=False)
    if email:
        contact.identities.filter(kind=IdentityKind.EMAIL, value=email).update(is_primary=True)
    return email


def contact_update(*, actor: Actor, contact: Contact, **changes: Any) -> Contact:
    """Change profile fields, organisation, custom fields, tags or the primary email."""
    by = acting_user(actor)
    require_editor(by)
    unknown = set(changes) - _UPDATABLE
    if unknown:
        raise ValidationError("Unknown fields.", fields={f: "unknown field" for f in sorted(unknown)})
    check_profile(changes)
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        refuse_merged(contact)
        diff: dict[str, Any] = {}
        for field in _PLAIN_FIELDS:
            if field in changes and changes[field] != getattr(contact, field):
                diff[field] = [getattr(contact, field), changes[field]]
                setattr(contact, field, changes[field])
        if "organisation" in changes:
            org = resolve_organisation(changes["organisation"])
            new_id = org.pk if org else None
            if new_id != contact.organisation_id:
                diff["organisation_id"] = [contact.organisation_id, new_id]
                contact.organisation = org
        if "custom_fields" in changes:
            values = field_services.validate_values(
                "contact", changes["custom_fields"], current=contact.custom_fields
            )
            if values != contact.custom_fields:
                diff["custom_fields"] = [contact.custom_fields, values]
                contact.custom_fields = values
        if "primary_email" in changes:
            email = _set_primary_email(contact, changes["primary_email"])
            if email != contact.primary_email:
                diff["primary_email"] = [contact.primary_email, email]
                contact.primary_email = email
        if "tags" in changes:
            tags = field_services.tags_ensure(changes["tags"] or [])
            old = sorted(t.name for t in contact.tags.all())
            new = sorted(t.name for t in tags)
            if old != new:
                contact.tags.set(tags)
                diff["tags"] = [old, new]
        if diff:
            contact.updated_at = timezone.now()
            columns = {"organisation" if f == "organisation_id" else f for f in diff if f != "tags"}
            contact.save(update_fields=[*sorted(columns), "updated_at"])
            record(ContactUpdated(contact_id=contact.pk, changes=diff), actor=actor)
    return contact


def identity_add(*, actor: Actor, contact: Contact, kind: str, value: str) -> Identity:
    """Attach an email, number or handle. Adding one the contact already has returns it."""
    by = acting_user(actor)
    require_editor(by)
    kind, value = normalise_identity(kind, value)
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        refuse_merged(contact)
        existing = Identity.objects.filter(kind=kind, value=value).first()
        if existing is not None:
            if existing.contact_id == contact.pk:
                return existing
            raise Conflict(
                "This identity belongs to another contact.",
                fields={"value": "already used by another contact"},
            )
        has_primary = contact.identities.filter(kind=kind, is_primary=True).exists()
        try:
            with transaction.atomic():
                identity = Identity.objects.create(
                    contact=contact, kind=kind, value=value, is_primary=not has_primary
                )
        except IntegrityError:
            raise Conflict(
                "This identity belongs to another contact.",
                fields={"value": "already used by another contact"},
            ) from None
        if kind == IdentityKind.EMAIL and not contact.primary_email:
            Contact.objects.filter(pk=contact.pk).update(primary_email=value, updated_at=timezone.now())
        contact_event(contact, actor=actor, kind="identity_added", data={"kind": kind, "value": value})
        record(
            IdentityAdded(contact_id=contact.pk, identity_id=identity.pk, kind=kind, value=value), actor=actor
        )
    return identity


def identity_remove(*, actor: Actor, contact: Contact, identity_id: int) -> None:
    """Detach an identity; the next one of its kind becomes primary."""
    by = acting_user(actor)
    require_editor(by)
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        refuse_merged(contact)
        identity = (
            contact.identities.filter(pk=identity_id).first() if 1 <= identity_id <= 2**63 - 1 else None
        )
        if identity is None:
            raise NotFound("Identity not found.")
        identity.delete()
        if identity.is_primary:
            nxt = contact.identities.filter(kind=identity.kind).order_by("pk").first()
            if nxt is not None:
                Identity.objects.filter(pk=nxt.pk).update(is_primary=True)
            if identity.kind == IdentityKind.EMAIL:
                contact.primary_email = nxt.value if nxt else ""
                contact.updated_at = timezone.now()
                contact.save(update_fields=["primary_email", "updated_at"])
        contact_event(
            contact,
            actor=actor,
            kind="identity_removed",
            data={"kind": identity.kind, "value": identity.value},
        )
        record(IdentityRemoved(contact_id=contact.pk, kind=identity.kind, value=identity.value), actor=actor)


def contact_note_add(*, actor: Actor, contact: Contact, body: str) -> ContactEvent:
    """An internal note on the contact's timeline (any agent, light agents included)."""
    by = acting_person(actor)
    account_policies.require_agent(by)
    body = body.strip() if isinstance(body, str) else ""
    if not body or len(body) > MAX_NOTE:
        raise ValidationError(
            "The note is empty or too long.", fields={"body": f"1 to {MAX_NOTE} characters"}
        )
    with transaction.atomic():
        event = contact_event(contact, actor=actor, kind="note", body=body)
        record(ContactNoteAdded(contact_id=contact.pk, contact_event_id=event.pk), actor=actor)
    return event
