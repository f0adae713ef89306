from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from frontdesk.core.events.base import catalogue
from frontdesk.core.events.dispatcher import retry_dead
from frontdesk.core.events.models import HandlerRun
from frontdesk.core.events.registry import table


class Command(BaseCommand):
    help = "Print the table of event -> handlers; --failures lists failing handler runs; --retry-dead retries them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--failures", action="store_true", help="list failed and dead handler runs")
        parser.add_argument("--retry-dead", action="store_true", help="give dead handler runs another chance")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["retry_dead"]:
            self.stdout.write(f"{retry_dead()} handler runs will be retried.")
            return
        if opts["failures"]:
            runs = HandlerRun.objects.exclude(status=HandlerRun.Status.DONE).select_related("event")[:200]
            for run in runs:
                first = (run.last_error.strip().splitlines() or [""])[-1]
                self.stdout.write(
                    f"{run.status:<7} event {run.event_id} {run.event.name:<28} {run.handler} "
                    f"attempts={run.attempts} next={run.next_attempt_at}  {first}"
                )
            return
        regs = table()
        by_event: dict[str, list[str]] = {}
        for reg in regs:
            by_event.setdefault(reg.event_name, []).append(
                f"{reg.key} ({'in transaction' if reg.in_transaction else 'after commit'})"
            )
        self.stdout.write(f"{'event':<32} handlers")
        for name in sorted(catalogue()):
            handlers = by_event.get(name) or ["-"]
            self.stdout.write(f"{name:<32} {handlers[0]}")
            for extra in handlers[1:]:
                self.stdout.write(f"{'':<32} {extra}")
