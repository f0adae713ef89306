"""Step 3: who wrote, and who was copied. Contacts (and their organisation, by domain) come
from the customers' service; our own addresses are never made contacts.

The sender is the From header's angle address (``parse.sender``); a display name claiming another
address is not used as the contact's name. Which of the copied people a message may add to the
ticket it joins is ``ccs_to_add``: the requester and agents add CCs by email, a CC does not."""

from __future__ import annotations

from frontdesk.channels.email.addresses import is_our_address
from frontdesk.channels.email.mailboxes import own_addresses
from frontdesk.channels.email.pipeline.bounce import deliverable_again
from frontdesk.channels.email.pipeline.parse import Parsed
from frontdesk.channels.email.pipeline.threading import is_agent_for
from frontdesk.core.actor import Actor
from frontdesk.core.errors import ValidationError
from frontdesk.customers.models import Contact
from frontdesk.customers.services import contact_for_identity
from frontdesk.tickets.models import Ticket

MAX_CCS = 20


def identify(
    parsed: Parsed, actor: Actor, own: frozenset[str] | None = None, *, undeliverable: bool | None = None,
    known: dict[str, Contact] | None = None,
) -> tuple[Contact, list[Contact]]:
    """The sender's contact and the CCs' contacts. ``own``: our mailboxes' addresses, lower-case
    (read here when not given). ``known``: the owners of the batch's addresses, read once for the
    batch (``customers.services.identity_owners``; see ``contact_for_identity``)."""
    if own is None:
        own = own_addresses()
    sender = contact_for_identity(
        actor=actor, kind="email", value=parsed.from_address, name=parsed.from_name, known=known
    )
    if undeliverable is not False:  # None: not known, look; preflight already read the flag otherwise
        deliverable_again(parsed.from_address)  # a person wrote from it: replies may go to it again
    ccs: list[Contact] = []
    for address in parsed.cc:
        if len(ccs) >= MAX_CCS or address == parsed.from_address or is_our_address(address, own):
            continue
        try:
            contact = contact_for_identity(actor=actor, kind="email", value=address, known=known)
        except ValidationError:
            continue  # an address the customers' rules refuse is not copied
        if contact.pk != sender.pk and contact not in ccs:
            ccs.append(contact)
    return sender, ccs


def ccs_to_add(
    ticket: Ticket, parsed: Parsed, sender: Contact, ccs: list[Contact]
) -> tuple[list[Contact], list[Contact]]:
    """(the CCs a message joining ``ticket`` adds, the ones it names but may not add). The
    requester and agents who can see the ticket add CCs by email; a CC replying does not (the
    ones withheld are named on the ticket page, for an agent to add)."""
    if not ccs:
        return [], []  # most mail copies no one: the ticket's ccs are not read
    current = set(ticket.ccs.values_list("pk", flat=True)) | {ticket.requester_id}
    new = [c for c in ccs if c.pk not in current]
    if not new:
        return [], []
    if sender.pk == ticket.requester_id or is_agent_for(ticket, parsed.from_address):
        return new, []
    return [], new
