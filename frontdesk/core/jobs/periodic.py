"""Periodic jobs: ``@periodic_job(crontab(...))`` in an app's ``tasks.py``.

Every worker's scheduler enqueues every periodic job at its time, so with several workers a job
is offered several times. A run first claims the job's ``JobRun`` row with one conditional
UPDATE: it matches only when no lease is held (or the lease ran out: its worker died) and the job
has not started since its latest scheduled time. So each scheduled time runs once across all
workers, one run at a time, and a worker killed mid-run holds nothing past its lease (Huey's own
``lock_task`` keeps its lock forever after a crash: polling would stop for good).

A worker (and ``frontdesk run``) starting up enqueues the jobs whose latest scheduled time has
no run yet (``enqueue_overdue``), so a job missed while no worker ran (the hourly purge, say)
is caught up at once, and an operator can see every job run right after starting a worker.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from huey.contrib.djhuey import db_periodic_task

from frontdesk.core.jobs.models import JobRun

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(minutes=5)
LOOKBACK = timedelta(days=8)  # far enough back to find the latest time of a weekly schedule


@dataclass(frozen=True)
class Job:
    name: str
    schedule: Callable[[datetime], bool]  # a huey crontab: naive UTC datetime -> due?
    lease: timedelta
    task: Any  # the Huey task wrapper (calling it enqueues a run)


_jobs: dict[str, Job] = {}


def periodic_job(schedule: Callable[[datetime], bool], *, lease: timedelta = DEFAULT_LEASE) -> Callable[..., Any]:
    """Register ``fn()`` as a periodic job on ``schedule``; ``lease`` must exceed its longest run."""

    def decorate(fn: Callable[[], Any]) -> Any:
        name = f"{fn.__module__}.{fn.__name__}"

        @functools.wraps(fn)
        def run() -> Any:
            holder = claim(name, schedule, lease)
            if holder is None:
                return None  # running elsewhere, or this scheduled time already ran
            try:
                result = fn()
            except Exception as exc:
                _finish(name, holder, error=f"{type(exc).__name__}: {exc}")
                raise
            _finish(name, holder, result=result)
            return result

        task = db_periodic_task(schedule)(run)
        task.call_local = fn  # the job's work itself, without the lease (tests, `frontdesk shell`)
        _jobs[name] = Job(name=name, schedule=schedule, lease=lease, task=task)
        return task

    return decorate


def jobs() -> dict[str, Job]:
    return dict(_jobs)


def latest_due(schedule: Callable[[datetime], bool], now: datetime | None = None) -> datetime | None:
    """The latest minute at or before ``now`` (aware) that ``schedule`` matches, aware UTC."""
    now = now or timezone.now()
    minute = now.astimezone(UTC).replace(second=0, microsecond=0, tzinfo=None)
    oldest = minute - LOOKBACK
    while minute >= oldest:
        if schedule(minute):
            return minute.replace(tzinfo=UTC)
        minute -= timedelta(minutes=1)
    return None


def claim(name: str, schedule: Callable[[datetime], bool], lease: timedelta) -> str | None:
    """Take the job's lease for one run; the holder id, or None when it is not this run's turn."""
    now = timezone.now()
    due = latest_due(schedule, now) or now
    holder = uuid.uuid4().hex
    fields = {"holder": holder, "lease_until": now + lease, "started_at": now}
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    not_yet = Q(started_at__isnull=True) | Q(started_at__lt=due)
    if JobRun.objects.filter(free & not_yet, name=name).update(**fields):
        return holder
    if JobRun.objects.filter(name=name).exists():
        return None
    try:
        with transaction.atomic():
            JobRun.objects.create(name=name, **fields)
    except IntegrityError:
        return None  # another worker created it first and holds it
    return holder


def _finish(name: str, holder: str, *, result: Any = None, error: str = "") -> None:
    now = timezone.now()
    changes: dict[str, Any] = {
        "holder": "", "lease_until": None, "finished_at": now, "runs": F("runs") + 1, "last_error": error[:4000],
    }
    if not error:
        changes.update(succeeded_at=now, last_result="" if result is None else str(result)[:200])
    if not JobRun.objects.filter(name=name, holder=holder).update(**changes):
        log.warning("periodic job %s outlived its lease: raise its lease", name)


def overdue(now: datetime | None = None) -> list[Job]:
    """Jobs whose latest scheduled time has not started a run (never run, or missed)."""
    now = now or timezone.now()
    started = dict(JobRun.objects.filter(name__in=list(_jobs)).values_list("name", "started_at"))
    late = []
    for job in _jobs.values():
        due = latest_due(job.schedule, now)
        last = started.get(job.name)
        if due is not None and (last is None or last < due):
            late.append(job)
    return late


def enqueue_overdue() -> list[str]:
    """Enqueue every overdue job once (each run still claims its lease); their names."""
    names = []
    for job in overdue():
        try:
            job.task()
            names.append(job.name)
        except Exception:
            log.exception("could not enqueue overdue job %s", job.name)
    return names
