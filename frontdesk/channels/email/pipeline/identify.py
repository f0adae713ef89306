"""Step 3: who wrote, and who was copied. Contacts (and their organisation, by domain) come
from the customers' service; our own addresses are never made contacts."""

from __future__ import annotations

from frontdesk.channels.email.mailboxes import own_addresses
from frontdesk.channels.email.pipeline.bounce import deliverable_again
from frontdesk.channels.email.pipeline.parse import Parsed
from frontdesk.core.actor import Actor
from frontdesk.core.errors import ValidationError
from frontdesk.customers.models import Contact
from frontdesk.customers.services import contact_for_identity

MAX_CCS = 20


def _ours(address: str, own: frozenset[str]) -> bool:
    local, _, domain = address.partition("@")
    return f"{local.split('+', 1)[0]}@{domain}" in own


def identify(
    parsed: Parsed, actor: Actor, own: frozenset[str] | None = None, *, undeliverable: bool | None = None
) -> tuple[Contact, list[Contact]]:
    """The sender's contact and the CCs' contacts. ``own``: our mailboxes' addresses, lower-case
    (read here when not given)."""
    if own is None:
        own = own_addresses()
    sender = contact_for_identity(actor=actor, kind="email", value=parsed.from_address, name=parsed.from_name)
    if undeliverable is not False:  # None: not known, look; preflight already read the flag otherwise
        deliverable_again(parsed.from_address)  # a person wrote from it: replies may go to it again
    ccs: list[Contact] = []
    for address in parsed.cc:
        if len(ccs) >= MAX_CCS or address == parsed.from_address or _ours(address, own):
            continue
        try:
            contact = contact_for_identity(actor=actor, kind="email", value=address)
        except ValidationError:
            continue  # an address the customers' rules refuse is not copied
        if contact.pk != sender.pk and contact not in ccs:
            ccs.append(contact)
    return sender, ccs
