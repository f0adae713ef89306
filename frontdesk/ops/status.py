"""What `frontdesk check` reports about the background side: the tasks this process knows, the
periodic jobs and their last runs, the queue, the outbox and the IMAP mailboxes. Each section
gives lines to print and problems that make the check fail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from frontdesk.core.events.models import HandlerRun, OutboxEvent
from frontdesk.core.jobs import periodic
from frontdesk.core.jobs.models import JobRun
from frontdesk.core.jobs.registry import declared, missing, registered
from frontdesk.core.queue import message_name

QUEUE_SCAN_LIMIT = 1000


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = int((now - moment).total_seconds())
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


def tasks_report(report: Report) -> None:
    known = registered()
    runs = {run.name: run for run in JobRun.objects.all()}
    now = timezone.now()
    report.lines.append(f"Tasks registered in this process: {len(known)} (declared by the apps: {len(declared())})")
    for info in known.values():
        if info.kind != "periodic":
            report.lines.append(f"  task      {info.name}")
            continue
        run = runs.get(info.name)
        if run is None:
            state = "not run yet"
        else:
            outcome = f"failed: {run.last_error.splitlines()[-1][:120]}" if run.last_error else "ok"
            held = ", running now" if run.lease_until and run.lease_until > now else ""
            state = f"last started {_ago(run.started_at, now)}, {outcome}, {run.runs} runs{held}"
        report.lines.append(f"  periodic  {info.name}  ({state})")
    for name in missing():
        report.problems.append(
            f"task {name} is declared but not registered here: a worker in this environment would not run it "
            "(its module failed to import, or it is not named tasks.py / *_tasks.py)"
        )
    unplanned = [name for name, info in known.items() if info.kind == "periodic" and name not in periodic.jobs()]
    for name in unplanned:
        report.problems.append(f"periodic task {name} is not a @periodic_job: it runs on every worker with no lease")


def queue_report(report: Report) -> None:
    from huey.contrib.djhuey import HUEY

    known = registered()
    storage = HUEY.storage
    try:
        waiting = storage.queue_size()
        scheduled = storage.schedule_size()
        raw = list(storage.enqueued_items(QUEUE_SCAN_LIMIT)) + list(storage.scheduled_items(QUEUE_SCAN_LIMIT))
    except Exception as exc:
        report.problems.append(f"the task queue does not answer: {type(exc).__name__}: {exc}")
        return
    unknown: dict[str, int] = {}
    for data in raw:
        name = message_name(HUEY.serializer, data)
        if name not in known:
            unknown[name] = unknown.get(name, 0) + 1
    report.lines.append(f"Queue: {waiting} waiting, {scheduled} scheduled")
    for name, count in sorted(unknown.items()):
        report.problems.append(f"{count} queued message(s) ask for task {name}, which this process does not know")


def outbox_report(report: Report) -> None:
    now = timezone.now()
    pending = OutboxEvent.objects.filter(dispatched_at__isnull=True)
    oldest = pending.order_by("created_at").values_list("created_at", flat=True).first()
    count = pending[:10_001].count()
    failing = HandlerRun.objects.filter(status=HandlerRun.Status.FAILED).count()
    dead = HandlerRun.objects.filter(status=HandlerRun.Status.DEAD).count()
    shown = "over 10000" if count > 10_000 else str(count)
    waiting = f"{shown} events waiting for dispatch (oldest {_ago(oldest, now)})" if count else "no event waiting"
    report.lines.append(
        f"Outbox: {waiting}, {failing} handler runs retrying, {dead} dead (`frontdesk events --failures`)"
    )


def mailboxes_report(report: Report) -> None:
    from frontdesk.channels.email.imap import imap_mailboxes
    from frontdesk.channels.email.models import ImapCursor

    now = timezone.now()
    cursors = {c.mailbox_id: c for c in ImapCursor.objects.all()}
    boxes = list(imap_mailboxes())
    report.lines.append(f"IMAP mailboxes: {len(boxes)}")
    for box in boxes:
        cursor = cursors.get(box.pk)
        polled = cursor.polled_at if cursor else None
        state = f"failed: {cursor.poll_error.splitlines()[0][:160]}" if cursor and cursor.poll_error else "ok"
        if polled is None:
            state = "not polled yet"
        report.lines.append(f"  #{box.pk} {box.address}: polled {_ago(polled, now)}, {state}")


def background_report() -> Report:
    report = Report()
    for section in (tasks_report, queue_report, outbox_report, mailboxes_report):
        section(report)
    return report
