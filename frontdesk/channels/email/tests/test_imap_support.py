"""Shared helpers of the intake tests (IMAP, LMTP, crash safety); holds no tests itself."""

from __future__ import annotations

import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from frontdesk.brands.models import Brand
from frontdesk.channels.email.models import Mailbox
from frontdesk.testing.dovecot import Dovecot


def brand() -> Brand:
    return Brand.objects.get_or_create(slug="acme", defaults={"name": "Acme"})[0]


def imap_mailbox(server: Dovecot, **kwargs: object) -> Mailbox:
    values: dict[str, object] = {
        "name": "Support",
        "address": "support@acme.test",
        "brand": brand(),
        "imap_host": server.host,
        "imap_port": server.port,
        "imap_ssl": False,
        "imap_user": server.user,
        "imap_password": server.password,
    }
    values.update(kwargs)
    return Mailbox.objects.create(**values)


def mail(n: int, *, sender: str | None = None, to: str = "support@acme.test", subject: str = "") -> bytes:
    """A plain customer message numbered n, with Message-ID <n.intake@customers.test>."""
    msg = EmailMessage()
    msg["From"] = f"Customer {n} <{sender or f'customer{n}@customers.test'}>"
    msg["To"] = to
    msg["Subject"] = subject or f"Question number {n}"
    msg["Message-ID"] = f"<{n}.intake@customers.test>"
    msg["Date"] = format_datetime(datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
    msg.set_content(f"Hello, this is question {n}.\n")
    return msg.as_bytes(policy=email.policy.SMTP)  # CRLF line ends, as on the wire
