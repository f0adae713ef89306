"""Background intake: every minute, poll every active IMAP mailbox once, and process stored
messages that were never processed (their receiver stopped between storing and processing).
One run at a time across workers (a slow server must not pile runs up), under a lease that a
killed worker gives up when it runs out."""

from __future__ import annotations

from huey import crontab

from frontdesk.channels.email.imap import poll_all_once
from frontdesk.channels.email.inbound import process_stuck
from frontdesk.core.jobs.periodic import periodic_job


@periodic_job(crontab(minute="*"))
def poll_imap_mailboxes_task() -> int:
    """Failures are logged and recorded per mailbox; one never stops the others."""
    return poll_all_once()


@periodic_job(crontab(minute="*"))
def process_stuck_inbound_task() -> int:
    """Stored mail left in 'received' for more than two minutes is processed (never lost)."""
    return process_stuck()
