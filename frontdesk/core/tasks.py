"""Background tasks of the core: thin wrappers over the dispatcher."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from frontdesk.core.events import dispatcher


@db_task(retries=3, retry_delay=5)
def dispatch_event_task(event_id: int) -> bool:
    return dispatcher.dispatch(event_id)


@db_periodic_task(crontab(minute="*"))
def sweep_events_task() -> int:
    return dispatcher.sweep()


@db_periodic_task(crontab(minute="17"))
def purge_idempotency_task() -> int:
    from frontdesk.core.idempotency import purge_expired

    return purge_expired()
