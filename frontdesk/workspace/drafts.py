"""Composer drafts: what an agent is writing on a ticket, saved on the server as they type.

One draft per agent per ticket. Each save carries the version it read: a save from a page that
read an older version (another tab or device saved since) is refused with a Conflict that carries
the draft as it stands, so no text is silently overwritten. Drafts record no events: they are the
workspace's state, seen by their author only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from frontdesk.accounts.models import User
from frontdesk.core.errors import Conflict, ValidationError
from frontdesk.core.html import MAX_HTML, sanitize_html
from frontdesk.tickets import policies
from frontdesk.tickets.models import MessageKind, Ticket
from frontdesk.workspace.models import Draft

MAX_ADDRESSES_TEXT = 5_000
MAX_SIGNATURE = 2_000


class DraftConflict(Conflict):
    """The draft was saved from another tab or device since this page read it."""

    code = "draft_conflict"

    def __init__(self, draft: Draft):
        super().__init__("This draft was changed in another tab or on another device.")
        self.draft = draft


@dataclass(frozen=True)
class DraftInput:
    kind: str
    body: str = ""
    to: str = ""
    cc: str = ""
    bcc: str = ""
    signature: str | None = None
    submit_as: str = ""


def draft_get(*, viewer: User, ticket: Ticket) -> Draft | None:
    """The viewer's draft on ``ticket`` (a ticket the caller already read with the viewer)."""
    return Draft.objects.filter(user=viewer, ticket_id=ticket.pk).first()


def _kind(by: User, kind: str) -> str:
    if kind not in MessageKind.values:
        raise ValidationError("Unknown message kind.", fields={"kind": "public or note"})
    return kind if policies.can_reply_publicly(by) else MessageKind.NOTE


def _capped(value: str, limit: int, name: str) -> str:
    if len(value) > limit:
        raise ValidationError("The draft is too long to save.", fields={name: f"at most {limit} characters"})
    return value


def draft_save(*, by: User, ticket: Ticket, data: DraftInput, version: int) -> Draft:
    """Save what ``by`` is writing on ``ticket``. ``version`` is the one the page read (0: none).
    The body is sanitised before the write, as a sent message's would be."""
    kind = _kind(by, data.kind)
    body = sanitize_html(_capped(data.body, MAX_HTML, "body"), remote_images=True)
    values = {
        "kind": kind,
        "body": str(body),
        "to": _capped(data.to, MAX_ADDRESSES_TEXT, "to"),
        "cc": _capped(data.cc, MAX_ADDRESSES_TEXT, "cc"),
        "bcc": _capped(data.bcc, MAX_ADDRESSES_TEXT, "bcc"),
        "signature": None if data.signature is None else _capped(data.signature, MAX_SIGNATURE, "signature"),
        "submit_as": data.submit_as[:40],
    }
    with transaction.atomic():
        draft = Draft.objects.select_for_update().filter(user=by, ticket_id=ticket.pk).first()
        if draft is None:
            if version:
                raise DraftConflict(Draft(user=by, ticket=ticket, kind=kind))  # sent or discarded elsewhere
            try:
                with transaction.atomic():
                    return Draft.objects.create(user=by, ticket=ticket, version=1, updated_at=timezone.now(), **values)
            except IntegrityError:  # another device created it this very moment
                draft = Draft.objects.select_for_update().get(user=by, ticket_id=ticket.pk)
                raise DraftConflict(draft) from None
        if draft.version != version:
            raise DraftConflict(draft)
        for name, value in values.items():
            setattr(draft, name, value)
        draft.version += 1
        draft.updated_at = timezone.now()
        draft.save()
    return draft


def draft_sent(*, by: User, ticket: Ticket, kind: str) -> Draft:
    """After a send: the text goes, the mode stays (the composer opens in it again)."""
    kind = _kind(by, kind)
    with transaction.atomic():
        draft = Draft.objects.select_for_update().filter(user=by, ticket_id=ticket.pk).first()
        if draft is None:
            draft, _created = Draft.objects.get_or_create(user=by, ticket=ticket, defaults={"kind": kind, "version": 1})
            return draft
        draft.kind, draft.body, draft.to, draft.cc, draft.bcc = kind, "", "", "", ""
        draft.signature, draft.submit_as = None, ""
        draft.version += 1
        draft.updated_at = timezone.now()
        draft.save()
    return draft


def draft_discard(*, by: User, ticket: Ticket) -> int:
    """The agent threw the draft away: the text goes, like after a send, the mode stays.
    Returns the draft's new version (0 when there was none)."""
    draft = Draft.objects.filter(user=by, ticket_id=ticket.pk).only("kind").first()
    if draft is None:
        return 0
    return draft_sent(by=by, ticket=ticket, kind=draft.kind).version
