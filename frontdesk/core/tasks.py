"""Background tasks of the core: thin wrappers over the dispatcher."""

from __future__ import annotations

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_task

from frontdesk.core.events import dispatcher
from frontdesk.core.jobs.periodic import periodic_job


@db_task(retries=3, retry_delay=5)
def dispatch_event_task(event_id: int) -> bool:
    return dispatcher.dispatch(event_id)


@periodic_job(crontab(minute="*"))
def sweep_events_task() -> int:
    return dispatcher.sweep()


@periodic_job(crontab(minute="17"), lease=timedelta(minutes=30))
def purge_idempotency_task() -> int:
    from frontdesk.core.idempotency import purge_expired

    return purge_expired()
