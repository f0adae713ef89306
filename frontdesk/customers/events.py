"""Events of the CRM. Recorded by customers.services; other apps react to them."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from frontdesk.core.events import Event
from frontdesk.core.events.base import Changes


class ContactCreated(Event):
    """A contact (customer) was created: by an agent, a CSV import, or a channel identifying a new sender."""

    name: ClassVar[str] = "contact.created"
    contact_id: int


class ContactUpdated(Event):
    """An agent, an import or the customer changed a contact's properties (``contact_update``)."""

    name: ClassVar[str] = "contact.updated"
    contact_id: int
    changes: Changes = Field(description="field -> [old, new]")


class IdentityAdded(Event):
    """An identity (email address, phone number, ...) was added to a contact."""

    name: ClassVar[str] = "contact.identity_added"
    contact_id: int
    identity_id: int
    kind: str
    value: str


class IdentityRemoved(Event):
    """An agent removed an identity from a contact."""

    name: ClassVar[str] = "contact.identity_removed"
    contact_id: int
    kind: str
    value: str


class ContactsMerged(Event):
    """An agent merged contact ``source_id`` into ``target_id``; ``moved`` counts what moved
    (tickets, identities, …)."""

    name: ClassVar[str] = "contact.merged"
    source_id: int
    target_id: int
    moved: dict[str, int]


class OrganisationSaved(Event):
    """An agent or an import created or changed an organisation (``organisation_save``)."""

    name: ClassVar[str] = "organisation.saved"
    organisation_id: int
    created: bool
    changes: Changes = Field(description="field -> [old, new]")


class PurchaseRecorded(Event):
    """A purchase was recorded for a contact (the API or an import)."""

    name: ClassVar[str] = "purchase.recorded"
    purchase_id: int
    contact_id: int
    amount: str = Field(description="a decimal, as a string")
    currency: str


class PurchaseUpdated(Event):
    """A purchase recorded again with the same ``external_id`` changed (a re-import, a refund)."""

    name: ClassVar[str] = "purchase.updated"
    purchase_id: int
    contact_id: int
    changes: Changes = Field(description="field -> [old, new]; decimals and date-times as strings")


class ContactNoteAdded(Event):
    """An agent added a note to a contact's timeline."""

    name: ClassVar[str] = "contact.note_added"
    contact_id: int
    contact_event_id: int
