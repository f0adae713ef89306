"""Which mailbox a ticket's mail goes from, and who receives it (addresses flagged undeliverable
after a bounce left out)."""

from __future__ import annotations

from django.db.models import Q

from frontdesk.channels.email.models import InboundEmail, Mailbox
from frontdesk.customers.models import Contact, Identity
from frontdesk.tickets.models import Ticket
from frontdesk.tickets.services.messages import Recipients


def mailbox_for_ticket(ticket: Ticket) -> Mailbox | None:
    """The mailbox of the ticket's first inbound email, else the first active mailbox of its
    brand, else None (then no mail is sent)."""
    inbound = (
        InboundEmail.objects.filter(ticket_id=ticket.pk, mailbox__isnull=False)
        .select_related("mailbox")
        .order_by("received_at", "pk")
        .first()
    )
    if inbound is not None and inbound.mailbox is not None:
        return inbound.mailbox
    return Mailbox.objects.filter(brand_id=ticket.brand_id, active=True).order_by("pk").first()


def has_mailbox(ticket: Ticket) -> bool:
    """Whether ``mailbox_for_ticket`` finds one (a public reply on ``ticket`` is emailed), in one query."""
    return Mailbox.objects.filter(Q(inbound__ticket_id=ticket.pk) | Q(brand_id=ticket.brand_id, active=True)).exists()


def _undeliverable(addresses: list[str]) -> set[str]:
    return set(
        Identity.objects.filter(kind="email", value__in=addresses, undeliverable=True).values_list("value", flat=True)
    )


def _email_of(contact: Contact) -> str:
    return (contact.primary_email or "").strip().lower()


def recipients(ticket: Ticket) -> tuple[list[str], list[str]]:
    """(to, cc): the requester's address and the cc contacts' addresses, skipping addresses
    flagged undeliverable. ``to`` is empty when the requester cannot be mailed."""
    requester = _email_of(ticket.requester)
    ccs = [_email_of(c) for c in ticket.ccs.all()]
    candidates = [a for a in [requester, *ccs] if a]
    bad = _undeliverable(candidates)
    to = [requester] if requester and requester not in bad else []
    cc: list[str] = []
    for address in ccs:
        if address and address not in bad and address not in to and address not in cc:
            cc.append(address)
    return to, cc


def default_recipients(ticket: Ticket) -> Recipients:
    """What a composer offers for a public reply: the requester in To, the ticket's CCs in CC
    (addresses flagged undeliverable included: ``queue_reply`` leaves them out and says so)."""
    requester = _email_of(ticket.requester)
    cc = [a for a in dict.fromkeys(_email_of(c) for c in ticket.ccs.all()) if a and a != requester]
    return Recipients(to=[requester] if requester else [], cc=cc, bcc=[])


def _deliverable(chosen: Recipients) -> tuple[list[str], list[str], list[str]]:
    """(to, cc, bcc): the agent's choice without the addresses flagged undeliverable."""
    bad = _undeliverable([*chosen.to, *chosen.cc, *chosen.bcc])
    to, cc, bcc = ([a for a in part if a not in bad] for part in (chosen.to, chosen.cc, chosen.bcc))
    return to, cc, bcc

