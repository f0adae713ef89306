"""Runs after-commit handlers once per (event, handler), with backoff on failure."""

from __future__ import annotations

import logging
import traceback
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from frontdesk.core.actor import Actor
from frontdesk.core.events.base import EventMeta, event_class
from frontdesk.core.events.context import handling
from frontdesk.core.events.models import HandlerRun, OutboxEvent
from frontdesk.core.events.registry import Registration, handlers_for

log = logging.getLogger(__name__)

SWEEP_GRACE = timedelta(seconds=30)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 5 * 2 ** max(0, attempts - 1)))


def dispatch(event_id: int) -> bool:
    """Run every pending after-commit handler of one event. True when all are done."""
    try:
        row = OutboxEvent.objects.get(pk=event_id)
    except OutboxEvent.DoesNotExist:
        return True
    if row.dispatched_at is not None:
        return True
    cls = event_class(row.name)
    event = cls.model_validate(row.payload)
    meta = EventMeta(
        id=row.pk,
        name=row.name,
        actor=Actor.from_dict(row.actor),
        causation_id=row.causation_id,
        depth=row.depth,
        created_at=row.created_at,
    )
    all_done = True
    for reg in handlers_for(row.name, in_transaction=False):
        if not _run_one(row, reg, event, meta):
            all_done = False
    if all_done:
        OutboxEvent.objects.filter(pk=row.pk, dispatched_at__isnull=True).update(dispatched_at=timezone.now())
    return all_done


def dispatch_many(event_ids: list[int]) -> bool:
    """``dispatch`` each of ``event_ids`` in turn (the events of one write, in the order recorded).
    True when all are done.

    One event that cannot be dispatched (its row unreadable, the database gone for a moment) does
    not hold back the others, as when each had its own task: the rest are still dispatched, then
    the first error is raised so the task is retried. A retry re-reads the events already done and
    skips them (their ``dispatched_at`` is set, and each handler run is recorded once), and what
    the retries do not finish the sweep re-drives."""
    all_done = True
    error: Exception | None = None
    for event_id in event_ids:
        try:
            if not dispatch(event_id):
                all_done = False
        except Exception as exc:
            log.exception("dispatch of event %s failed", event_id)
            error = error or exc
    if error is not None:
        raise error
    return all_done


def _run_one(row: OutboxEvent, reg: Registration, event: object, meta: EventMeta) -> bool:
    now = timezone.now()
    try:
        with transaction.atomic():
            run = (
                HandlerRun.objects.select_for_update(skip_locked=True)
                .filter(event=row, handler=reg.key)
                .first()
            )
            if run is not None and (
                run.status != HandlerRun.Status.FAILED or (run.next_attempt_at and run.next_attempt_at > now)
            ):
                return run.status == HandlerRun.Status.DONE
            if run is None:
                if HandlerRun.objects.filter(event=row, handler=reg.key).exists():
                    return False  # another worker holds it
                run = HandlerRun.objects.create(event=row, handler=reg.key, status=HandlerRun.Status.DONE)
            with handling(meta):
                reg.fn(event, meta)
            run.status = HandlerRun.Status.DONE
            run.attempts += 1
            run.last_error = ""
            run.next_attempt_at = None
            run.save()
            return True
    except IntegrityError:
        return False  # a concurrent worker created the run record first
    except Exception:
        log.exception("handler %s failed on event %s", reg.key, row.pk)
        _record_failure(row, reg, traceback.format_exc(limit=8))
        return False


def _record_failure(row: OutboxEvent, reg: Registration, error: str) -> None:
    with transaction.atomic():
        run, _ = HandlerRun.objects.get_or_create(
            event=row, handler=reg.key, defaults={"status": HandlerRun.Status.FAILED}
        )
        run.attempts += 1
        run.last_error = error[-4000:]
        if run.attempts >= settings.EVENTS_MAX_ATTEMPTS:
            run.status = HandlerRun.Status.DEAD
            run.next_attempt_at = None
        else:
            run.status = HandlerRun.Status.FAILED
            run.next_attempt_at = timezone.now() + backoff(run.attempts)
        run.save()


def sweep(limit: int = 500) -> int:
    """Re-drive events whose nudge was lost and handler runs due for a retry."""
    now = timezone.now()
    pending = list(
        OutboxEvent.objects.filter(dispatched_at__isnull=True, created_at__lte=now - SWEEP_GRACE)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    retry = list(
        HandlerRun.objects.filter(status=HandlerRun.Status.FAILED, next_attempt_at__lte=now)
        .values_list("event_id", flat=True)[:limit]
    )
    ids = list(dict.fromkeys(pending + retry))
    for event_id in ids:
        dispatch(event_id)
    return len(ids)


def retry_dead(event_id: int | None = None) -> int:
    """Give dead handler runs another chance (admin action)."""
    qs = HandlerRun.objects.filter(status=HandlerRun.Status.DEAD)
    if event_id is not None:
        qs = qs.filter(event_id=event_id)
    return qs.update(status=HandlerRun.Status.FAILED, attempts=0, next_attempt_at=timezone.now())
