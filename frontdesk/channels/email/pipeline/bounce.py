"""Bounces (RFC 3464 delivery status notifications): a note on the ticket whose mail they report
on, and a recipient's address flagged undeliverable when its delivery failed for good.

Each recipient block of the report is read on its own. ``Action: failed`` with a permanent
(5.x.x) status flags the address, and replies are no longer emailed to it; a delay (``Action:
delayed``, or a 4.x.x status) only adds a note, since the sending server keeps trying;
``delivered``, ``relayed`` and ``expanded`` are success reports and are ignored. Mail that
arrives later *from* a flagged address clears the flag (``deliverable_again``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message

from frontdesk.channels.email.models import EmailReference
from frontdesk.channels.email.pipeline.parse import clean_id, decode_part, header
from frontdesk.core.actor import Actor
from frontdesk.customers.models import Identity, IdentityKind
from frontdesk.tickets.models import MessageKind, StatusCategory, Ticket
from frontdesk.tickets.services import message_add

_FIELD = re.compile(
    r"^(Final-Recipient|Original-Recipient|Action|Status|Diagnostic-Code)[ \t]*:[ \t]*(.+)$", re.I | re.M
)
_BLOCKS = re.compile(r"\n[ \t]*\n")
_FOLD = re.compile(r"\r?\n[ \t]+")
MAX_RECIPIENTS = 50
SUCCESS = ("delivered", "relayed", "expanded")
# what a recipient's report means for us
FAILED = "failed"  # permanent: the address is flagged
DELAYED = "delayed"  # the server keeps trying
NOT_DELIVERED = "not delivered"  # given up after a temporary error, or no usable action: not flagged


@dataclass
class Recipient:
    address: str
    action: str
    status: str
    diagnostic: str

    @property
    def outcome(self) -> str:
        """FAILED, DELAYED, NOT_DELIVERED, or '' for a success report."""
        if self.action in SUCCESS:
            return ""
        if self.action == "failed" and self.status.startswith("5"):
            return FAILED
        if self.action == "delayed" or (self.action != "failed" and self.status.startswith("4")):
            return DELAYED
        return NOT_DELIVERED

    @property
    def detail(self) -> str:
        return ": ".join(x for x in (self.status, self.diagnostic) if x) or "no details given"


@dataclass
class Bounce:
    recipients: list[Recipient] = field(default_factory=list)
    bounced_id: str = ""
    report: bool = False  # it carried a machine-readable delivery status


def _text(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list):  # message/delivery-status, message/rfc822: header blocks
        return "\n\n".join(str(p) for p in payload if isinstance(p, Message))
    return decode_part(part)


def _recipients(text: str) -> list[Recipient]:
    """The per-recipient blocks of a message/delivery-status part (the per-message block, which
    names no recipient, is skipped)."""
    found: list[Recipient] = []
    for block in _BLOCKS.split(_FOLD.sub(" ", text.replace("\r\n", "\n"))):
        fields: dict[str, str] = {}
        for name, value in _FIELD.findall(block):
            fields.setdefault(name.lower(), value.strip())
        address = fields.get("final-recipient", fields.get("original-recipient", "")).split(";")[-1].strip()
        if not address:
            continue
        found.append(
            Recipient(
                address=address.strip("<>").lower()[:254],
                action=fields.get("action", "").split()[0].lower() if fields.get("action") else "",
                status=fields.get("status", "").split()[0][:20] if fields.get("status") else "",
                diagnostic=fields.get("diagnostic-code", "").split(";", 1)[-1].strip()[:500],
            )
        )
        if len(found) >= MAX_RECIPIENTS:
            break
    return found


def read_dsn(msg: EmailMessage) -> Bounce:
    dsn = Bounce()
    for n, part in enumerate(msg.walk()):
        if n > 200:
            break
        ctype = part.get_content_type()
        if ctype == "message/delivery-status" and not dsn.report:
            dsn.report = True
            dsn.recipients = _recipients(_text(part))
        elif ctype in ("text/rfc822-headers", "message/rfc822") and not dsn.bounced_id:
            inner = part.get_payload()
            if ctype == "message/rfc822" and isinstance(inner, list) and inner and isinstance(inner[0], Message):
                dsn.bounced_id = clean_id(header(inner[0], "Message-ID"))
            else:
                found = re.search(r"^Message-ID\s*:\s*(.+)$", _text(part), re.I | re.M)
                dsn.bounced_id = clean_id(found.group(1)) if found else ""
    return dsn


def _line(recipient: Recipient) -> str:
    address, detail = recipient.address, recipient.detail
    if recipient.outcome == FAILED:
        return (
            f"Delivery failed to {address}: {detail}. The address is flagged undeliverable: replies are not "
            "emailed to it until mail arrives from it again."
        )
    if recipient.outcome == DELAYED:
        return f"Delivery to {address} is delayed: {detail}. The mail server keeps trying; no action is needed yet."
    return f"Delivery failed to {address}: {detail}. The address is not flagged: the next reply is emailed again."


def handle_bounce(msg: EmailMessage) -> tuple[Ticket, object] | None:
    """Flag the addresses that failed for good, and attach a note to the ticket whose message the
    report is about; None when there is nothing to report (only success reports) or the message
    is not one of ours."""
    dsn = read_dsn(msg)
    reported = [r for r in dsn.recipients if r.outcome]
    failed = [r.address for r in reported if r.outcome == FAILED]
    if failed:
        Identity.objects.filter(kind=IdentityKind.EMAIL, value__in=failed).update(undeliverable=True)
    if dsn.report and not reported:
        return None  # delivered, relayed, expanded: nothing went wrong
    ref = (
        EmailReference.objects.filter(header_id=dsn.bounced_id, outgoing=True).select_related("ticket").first()
        if dsn.bounced_id
        else None
    )
    if ref is None or ref.ticket.status_category == StatusCategory.CLOSED:
        return None
    body = "\n".join(_line(r) for r in reported) or "Delivery failed to the recipient: no details given."
    note = message_add(
        actor=Actor.system("email"),
        ticket=ref.ticket,
        body=body,
        kind=MessageKind.NOTE,
        channel="email",
    )
    return ref.ticket, note


def deliverable_again(address: str) -> None:
    """Mail from an address proves it works: clear its undeliverable flag. One UPDATE that
    matches no row unless the flag is set (the common case writes nothing)."""
    address = (address or "").strip().lower()
    if address:
        Identity.objects.filter(kind=IdentityKind.EMAIL, value=address, undeliverable=True).update(undeliverable=False)
