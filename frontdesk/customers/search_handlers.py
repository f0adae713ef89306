"""Keep the contact index consistent with CRM writes (runs inside the writer's transaction)."""

from __future__ import annotations

from frontdesk.core.events import EventMeta, handler
from frontdesk.customers import search
from frontdesk.customers.events import (
    ContactCreated,
    ContactsMerged,
    ContactUpdated,
    IdentityAdded,
    IdentityRemoved,
    OrganisationSaved,
)
from frontdesk.customers.models import Contact

_INDEXED_FIELDS = {
    "name", "primary_email", "organisation", "organisation_id", "merged_into", "merged_into_id",
}


@handler(ContactCreated, IdentityAdded, IdentityRemoved, in_transaction=True)
def index_contact(event: ContactCreated | IdentityAdded | IdentityRemoved, meta: EventMeta) -> None:
    contact, values = meta.hints.get("contact"), meta.hints.get("identity_values")
    if isinstance(event, ContactCreated) and meta.hints.get("indexed"):
        return  # the writer stored the entry with the contact's row (PostgreSQL)
    if isinstance(event, ContactCreated) and isinstance(contact, Contact) and isinstance(values, list):
        search.index_new_contact(contact, values)  # the writer's own objects: nothing to read back
        return
    search.index_contacts([event.contact_id])


@handler(ContactUpdated, in_transaction=True)
def reindex_updated_contact(event: ContactUpdated, meta: EventMeta) -> None:
    if _INDEXED_FIELDS & set(event.changes):
        search.index_contacts([event.contact_id])


@handler(ContactsMerged, in_transaction=True)
def reindex_merged_contacts(event: ContactsMerged, meta: EventMeta) -> None:
    search.remove_contacts([event.source_id])
    search.index_contacts([event.target_id])


@handler(OrganisationSaved, in_transaction=True)
def reindex_organisation_contacts(event: OrganisationSaved, meta: EventMeta) -> None:
    if not event.created and "name" in event.changes:
        search.index_organisation_contacts(event.organisation_id)
