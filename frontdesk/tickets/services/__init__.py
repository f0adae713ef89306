"""Ticket services: every write to tickets, messages, attachments, links, statuses and saved views.

All are keyword-only and take one ``actor``: recorded on events and the audit trail, and, when
it is a person (``Actor.of(user)``), whose rights apply; the system and channels act on trust.
"""

from frontdesk.tickets.services.attachments import (
    attachment_remove,
    attachment_store,
    attachments_sweep,
    attachments_upload,
    sanitise_filename,
    sniff,
)
from frontdesk.tickets.services.bulk import MAX_BULK, tickets_bulk_update
from frontdesk.tickets.services.create import ticket_create
from frontdesk.tickets.services.links import problem_solve, ticket_link, ticket_unlink
from frontdesk.tickets.services.merge import RequestersDiffer, ticket_split, tickets_merge
from frontdesk.tickets.services.messages import message_add, parse_mentions
from frontdesk.tickets.services.queues import view_create, view_delete, view_update
from frontdesk.tickets.services.statuses import status_create, status_update
from frontdesk.tickets.services.update import ticket_update

__all__ = [
    "MAX_BULK",
    "RequestersDiffer",
    "attachment_remove",
    "attachment_store",
    "attachments_sweep",
    "attachments_upload",
    "message_add",
    "parse_mentions",
    "problem_solve",
    "sanitise_filename",
    "sniff",
    "status_create",
    "status_update",
    "ticket_create",
    "ticket_link",
    "ticket_split",
    "ticket_unlink",
    "ticket_update",
    "tickets_bulk_update",
    "tickets_merge",
    "view_create",
    "view_delete",
    "view_update",
]
