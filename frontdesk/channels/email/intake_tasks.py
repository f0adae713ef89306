"""Background intake: every minute, poll every active IMAP mailbox once, and process stored
messages that were never processed (their receiver stopped between storing and processing)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from frontdesk.channels.email.imap import poll_all_once
from frontdesk.channels.email.inbound import process_stuck


@db_periodic_task(crontab(minute="*"))
@lock_task("email-imap-poll")
def poll_imap_mailboxes_task() -> int:
    """One run at a time (a slow server must not pile runs up); failures are logged per mailbox."""
    return poll_all_once()


@db_periodic_task(crontab(minute="*"))
@lock_task("email-stuck-inbound")
def process_stuck_inbound_task() -> int:
    """Stored mail left in 'received' for more than two minutes is processed (never lost)."""
    return process_stuck()
