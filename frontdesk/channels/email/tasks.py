"""Background tasks of the email channel's sending side: thin wrappers over sending.py."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_task

from frontdesk.channels.email import sending
from frontdesk.core.jobs.periodic import periodic_job


@db_task()
def send_outbound_task(outbound_id: int) -> bool:
    """Send one row right after the transaction that wrote it committed."""
    return sending.send_one(outbound_id)


@periodic_job(crontab(minute="*"))
def send_due_outbound_task() -> int:
    """Every minute: rows whose nudge was lost and failed rows due for a retry."""
    return sending.send_due()
