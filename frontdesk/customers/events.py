"""Events of the CRM. Recorded by customers.services; other apps react to them."""

from __future__ import annotations

from typing import Any, ClassVar

from frontdesk.core.events import Event


class ContactCreated(Event):
    name: ClassVar[str] = "contact.created"
    contact_id: int


class ContactUpdated(Event):
    name: ClassVar[str] = "contact.updated"
    contact_id: int
    changes: dict[str, Any]  # field -> [old, new]


class IdentityAdded(Event):
    name: ClassVar[str] = "contact.identity_added"
    contact_id: int
    identity_id: int
    kind: str
    value: str


class IdentityRemoved(Event):
    name: ClassVar[str] = "contact.identity_removed"
    contact_id: int
    kind: str
    value: str


class ContactsMerged(Event):
    """``source_id`` was merged into ``target_id``; ``moved`` counts what moved (tickets, identities, …)."""

    name: ClassVar[str] = "contact.merged"
    source_id: int
    target_id: int
    moved: dict[str, int]


class OrganisationSaved(Event):
    name: ClassVar[str] = "organisation.saved"
    organisation_id: int
    created: bool
    changes: dict[str, Any]


class PurchaseRecorded(Event):
    name: ClassVar[str] = "purchase.recorded"
    purchase_id: int
    contact_id: int
    amount: str
    currency: str


class PurchaseUpdated(Event):
    """A purchase recorded again with the same ``external_id`` changed (a re-import, a refund)."""

    name: ClassVar[str] = "purchase.updated"
    purchase_id: int
    contact_id: int
    changes: dict[str, Any]  # field -> [old, new]


class ContactNoteAdded(Event):
    name: ClassVar[str] = "contact.note_added"
    contact_id: int
    contact_event_id: int
