"""Periodic jobs: once per scheduled time across workers, a lease a dead worker cannot keep, missed
runs caught up, and every task an app declares registered in every process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY

from frontdesk.core.jobs import periodic
from frontdesk.core.jobs.models import JobRun
from frontdesk.core.jobs.periodic import claim, latest_due, overdue
from frontdesk.core.jobs.registry import declared, missing, registered

EVERY_MINUTE = crontab(minute="*")
NAME = "frontdesk.core.tasks.sweep_events_task"


def test_every_declared_task_is_registered_in_this_process() -> None:
    names = set(declared())
    assert {
        "frontdesk.core.tasks.dispatch_events_task",
        "frontdesk.core.tasks.dispatch_event_task",  # kept for messages queued before the batch task
        "frontdesk.core.tasks.sweep_events_task",
        "frontdesk.channels.email.tasks.send_outbound_task",
        "frontdesk.channels.email.intake_tasks.poll_imap_mailboxes_task",
    } <= names
    assert names <= set(registered())
    assert missing() == []
    assert declared()["frontdesk.core.tasks.sweep_events_task"].kind == "periodic"


def test_a_declared_task_that_did_not_register_is_reported() -> None:
    from frontdesk.core.tasks import purge_idempotency_task

    HUEY._registry.unregister(purge_idempotency_task.task_class)
    try:
        assert missing() == ["frontdesk.core.tasks.purge_idempotency_task"]
    finally:
        HUEY._registry.register(purge_idempotency_task.task_class)
    assert missing() == []


def test_latest_due_finds_the_last_matching_minute() -> None:
    now = datetime(2026, 3, 4, 10, 42, 30, tzinfo=UTC)
    assert latest_due(EVERY_MINUTE, now) == datetime(2026, 3, 4, 10, 42, tzinfo=UTC)
    assert latest_due(crontab(minute="17"), now) == datetime(2026, 3, 4, 10, 17, tzinfo=UTC)
    assert latest_due(crontab(minute="50"), now) == datetime(2026, 3, 4, 9, 50, tzinfo=UTC)
    assert latest_due(crontab(minute="0", hour="3", day_of_week="1"), now) == datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_one_run_per_scheduled_time_however_many_workers_ask() -> None:
    first = claim(NAME, EVERY_MINUTE, timedelta(minutes=5))
    assert first is not None
    assert claim(NAME, EVERY_MINUTE, timedelta(minutes=5)) is None, "held by the first worker"
    periodic._finish(NAME, first, result=3)
    assert claim(NAME, EVERY_MINUTE, timedelta(minutes=5)) is None, "this minute has run already"
    row = JobRun.objects.get(name=NAME)
    assert row.runs == 1 and row.last_result == "3" and row.lease_until is None and row.succeeded_at


@pytest.mark.django_db(transaction=True)
def test_a_lease_left_by_a_killed_worker_runs_out() -> None:
    long_ago = timezone.now() - timedelta(minutes=20)
    JobRun.objects.create(name=NAME, holder="dead-worker", lease_until=long_ago + timedelta(minutes=5),
                          started_at=long_ago)
    holder = claim(NAME, EVERY_MINUTE, timedelta(minutes=5))
    assert holder is not None and holder != "dead-worker"


@pytest.mark.django_db(transaction=True)
def test_a_failed_run_is_recorded_with_its_error() -> None:
    calls: list[int] = []

    def flaky_job() -> None:
        calls.append(1)
        raise RuntimeError("server said no")

    flaky_job.__module__ = "frontdesk.core.tests.jobs_fixture"
    task = periodic.periodic_job(EVERY_MINUTE)(flaky_job)
    try:
        with pytest.raises(RuntimeError):
            task.func()  # the leased run, as a worker executes it
        row = JobRun.objects.get(name="frontdesk.core.tests.jobs_fixture.flaky_job")
        assert row.last_error == "RuntimeError: server said no" and row.lease_until is None
        assert row.succeeded_at is None and row.runs == 1
    finally:
        HUEY._registry.unregister(task.task_class)
        periodic._jobs.pop("frontdesk.core.tests.jobs_fixture.flaky_job", None)


@pytest.mark.django_db(transaction=True)
def test_missed_jobs_are_overdue_until_they_run() -> None:
    names = {job.name for job in overdue()}
    assert NAME in names and "frontdesk.core.tasks.purge_idempotency_task" in names, "never run: overdue"
    holder = claim(NAME, EVERY_MINUTE, timedelta(minutes=5))
    assert holder is not None
    assert NAME not in {job.name for job in overdue()}
    # the hourly purge last ran two hours ago: its run at minute 17 was missed
    JobRun.objects.create(name="frontdesk.core.tasks.purge_idempotency_task",
                          started_at=timezone.now() - timedelta(hours=2))
    assert "frontdesk.core.tasks.purge_idempotency_task" in {job.name for job in overdue()}
