"""What the writer (outbound.py) and the sender (sending.py) of outgoing mail share: the kinds of
rows, and which of a message's attachments are attached. Imports neither of them."""

from __future__ import annotations

from django.conf import settings

from frontdesk.tickets.models import Attachment

KIND_REPLY = "reply"
KIND_ACK = "acknowledgement"
KIND_NOTIFICATION = "notification"  # to an agent: no reply token, its own thread (notifications.py)


def max_outbound_attachment_bytes() -> int:
    return int(getattr(settings, "EMAIL_MAX_OUTBOUND_ATTACHMENT_BYTES", 20 * 1024 * 1024))


def attachments_split(message_id: int | None) -> tuple[list[Attachment], list[Attachment]]:
    """(attached, left out): a message's attachments in upload order, each attached while the
    total stays within EMAIL_MAX_OUTBOUND_ATTACHMENT_BYTES; the rest are named in the body
    instead. Deterministic, so the body written at queue time and the files read at send time
    agree."""
    if message_id is None:
        return [], []
    cap = max_outbound_attachment_bytes()
    attached: list[Attachment] = []
    left_out: list[Attachment] = []
    total = 0
    for attachment in Attachment.objects.filter(message_id=message_id).order_by("pk"):
        if total + attachment.size <= cap:
            attached.append(attachment)
            total += attachment.size
        else:
            left_out.append(attachment)
    return attached, left_out
