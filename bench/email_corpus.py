"""A generated email corpus for `frontdesk bench email`: raw RFC 5322 messages and, beside each,
the facts the raw-SQL reference needs to write the same rows (who sent it, which ticket it
answers, its subject, text and attachment).

The mix, per 20 messages: 8 new tickets from new senders (half of them at an organisation's
domain), 4 new tickets from known customers, 6 replies threaded by In-Reply-To/References to one
of our sent Message-IDs, 2 replies through the reply token (plus-address). One in five carries
a PDF attachment; half are multipart/alternative with an HTML part; replies quote the message
they answer, as mail clients do.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from frontdesk.ops.demo_scenarios import FIRST_NAMES, LAST_NAMES, SCENARIOS

KINDS = ["new_stranger"] * 8 + ["new_known"] * 4 + ["reply_ref"] * 6 + ["reply_token"] * 2


@dataclass
class Thread:
    """An existing ticket the corpus replies to: its id, requester and one Message-ID we sent."""

    ticket_id: int
    contact_id: int
    address: str
    sent_id: str
    subject: str


@dataclass
class Mail:
    raw: bytes
    kind: str
    sender: str
    sender_name: str
    subject: str
    body: str
    ticket_id: int | None  # the ticket a reply lands on
    contact_id: int | None  # a known sender's contact
    attachment: bytes | None
    message_id: str


def _pdf(rng: random.Random, size: int) -> bytes:
    body = bytes(rng.getrandbits(8) for _ in range(size))
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + body + b"\n%%EOF\n"


def _html(text: str) -> str:
    paras = "".join(f"<p>{line}</p>" for line in text.split("\n") if line.strip())
    return f'<html><body><div dir="ltr">{paras}</div></body></html>'


def generate(
    n: int,
    *,
    seed: int,
    tag: str,
    mailbox_address: str,
    known: list[tuple[int, str, str]],
    threads: list[Thread],
    domains: list[str],
    token_for: dict[int, str],
) -> list[Mail]:
    """``n`` messages. ``known``: (contact id, address, name) of existing customers; ``threads``:
    tickets to reply to; ``token_for``: ticket id → its reply address; ``tag`` keeps Message-IDs
    and new senders unique across corpora of one run."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    out: list[Mail] = []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        sc = SCENARIOS[rng.randrange(len(SCENARIOS))]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        msg = EmailMessage()
        ticket_id = contact_id = None
        quote = ""
        if kind == "new_stranger":
            domain = rng.choice(domains) if i % 2 == 0 else f"mail{rng.randrange(50)}.bench.test"
            local = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode().lower()
            sender = f"{local}.{tag}{i}@{domain}"
            name = f"{first} {last}"
            subject = rng.choice(sc.subjects)
            to = mailbox_address
        elif kind == "new_known":
            contact_id, sender, name = known[rng.randrange(len(known))]
            subject = rng.choice(sc.subjects)
            to = mailbox_address
        else:
            thread = threads[rng.randrange(len(threads))]
            ticket_id, contact_id, sender = thread.ticket_id, thread.contact_id, thread.address
            name = ""
            subject = f"Re: {thread.subject} [Ticket #{thread.ticket_id}]"
            quote = f"\n\nOn Mon, 23 Nov 2026 at 08:00, Support <{mailbox_address}> wrote:\n> Could you tell us more?\n"
            if kind == "reply_ref":
                to = mailbox_address
                msg["In-Reply-To"] = f"<{thread.sent_id}>"
                msg["References"] = f"<{thread.sent_id}>"
            else:
                to = token_for[thread.ticket_id]
        body = sc.openings[rng.randrange(len(sc.openings))].format(
            first=first, agent="", product="Team plan", order=f"#{10000 + i}", amount="$99.00"
        )
        text = body + quote
        message_id = f"bench.{tag}.{i}.{rng.getrandbits(32):08x}@{sender.rpartition('@')[2]}"
        msg["From"] = f"{name} <{sender}>" if name else sender
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = format_datetime(start + timedelta(seconds=i))
        msg["Message-ID"] = f"<{message_id}>"
        msg.set_content(text)
        if i % 2 == 1:
            msg.add_alternative(_html(text), subtype="html")
        attachment = None
        if i % 5 == 0:
            attachment = _pdf(rng, 20_000 + rng.randrange(20_000))
            msg.add_attachment(attachment, maintype="application", subtype="pdf", filename=f"invoice-{i}.pdf")
        out.append(
            Mail(
                raw=msg.as_bytes(),
                kind=kind,
                sender=sender,
                sender_name=name,
                subject=subject,
                body=body,
                ticket_id=ticket_id,
                contact_id=contact_id,
                attachment=attachment,
                message_id=message_id,
            )
        )
    return out
