"""Reply tokens: the plus-address (and Reply-To) that ties a customer's reply to its ticket.

``support+t1234-9f2c1a0b@example.com``: the ticket id and the first 8 hex digits of an HMAC of it
with the secret key, so nobody can forge a token for a ticket they were never sent.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings

_TOKEN = re.compile(r"^t(?P<ticket>[1-9][0-9]{0,18})-(?P<mac>[0-9a-f]{8})$")


def _mac(ticket_id: int) -> str:
    key = hashlib.sha256(("frontdesk-reply-token:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, str(ticket_id).encode(), hashlib.sha256).hexdigest()[:8]


def reply_token(ticket_id: int) -> str:
    return f"t{ticket_id}-{_mac(ticket_id)}"


def reply_address(mailbox_address: str, ticket_id: int) -> str:
    """``local+token@domain`` for a mailbox's address."""
    local, _, domain = mailbox_address.partition("@")
    return f"{local.split('+', 1)[0]}+{reply_token(ticket_id)}@{domain}"


def ticket_from_address(address: str) -> int | None:
    """The ticket id in a plus-address carrying a valid token, else None."""
    local = address.strip().lower().partition("@")[0]
    if "+" not in local:
        return None
    match = _TOKEN.match(local.split("+", 1)[1])
    if match is None:
        return None
    ticket_id = int(match["ticket"])
    if ticket_id > 2**63 - 1 or not hmac.compare_digest(match["mac"], _mac(ticket_id)):
        return None
    return ticket_id
