"""Writes of the CRM: contacts, identities, organisations, purchases, merges."""

from frontdesk.customers.services.contacts import (
    claim_identity,
    contact_create,
    contact_for_identity,
    contact_note_add,
    contact_update,
    identity_add,
    identity_owners,
    identity_remove,
)
from frontdesk.customers.services.merge import contacts_merge
from frontdesk.customers.services.organisations import organisation_id_for_email, organisation_save
from frontdesk.customers.services.purchases import purchase_record

__all__ = [
    "claim_identity",
    "contact_create",
    "contact_for_identity",
    "contact_note_add",
    "contact_update",
    "contacts_merge",
    "identity_add",
    "identity_owners",
    "identity_remove",
    "organisation_id_for_email",
    "organisation_save",
    "purchase_record",
]
