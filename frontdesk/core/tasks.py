"""Background tasks of the core: thin wrappers over the dispatcher."""

from __future__ import annotations

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_task

from frontdesk.core.events import dispatcher
from frontdesk.core.jobs.periodic import periodic_job


@db_task(retries=3, retry_delay=5)
def dispatch_events_task(event_ids: list[int]) -> bool:
    """The after-commit nudge of one write: its events with after-commit handlers, in order."""
    return dispatcher.dispatch_many(event_ids)


@db_task(retries=3, retry_delay=5)
def dispatch_event_task(event_id: int) -> bool:
    """The nudge of one event, as enqueued before ``dispatch_events_task``: kept so that messages
    already on the queue (or enqueued by a process not yet upgraded) still run."""
    return dispatcher.dispatch(event_id)


@periodic_job(crontab(minute="*"))
def sweep_events_task() -> int:
    return dispatcher.sweep()


@periodic_job(crontab(minute="17"), lease=timedelta(minutes=30))
def purge_idempotency_task() -> int:
    from frontdesk.core.idempotency import purge_expired

    return purge_expired()
