"""Background jobs of tickets: thin wrappers over services."""

from __future__ import annotations

from datetime import timedelta

from huey import crontab

from frontdesk.core.jobs.periodic import periodic_job


@periodic_job(crontab(minute="41"), lease=timedelta(minutes=30))
def sweep_unsent_attachments_task() -> int:
    """Hourly: uploads never sent in a message are deleted (rows and files) 24 hours after upload."""
    from frontdesk.tickets.services.attachments import attachments_sweep

    return attachments_sweep()
