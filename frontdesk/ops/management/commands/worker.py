from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Run background tasks and periodic jobs (the scaled shape). Any number may run; each event "
        "handler runs once per event and each periodic job once per scheduled time, however many race."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--threads", type=int, default=settings.HUEY["consumer"]["workers"],
                            help="worker threads (FRONTDESK_WORKER_THREADS)")
        parser.add_argument("--no-periodic", action="store_true", help="do not run periodic jobs here")

    def handle(self, *args: Any, **opts: Any) -> None:
        from frontdesk.core.jobs.registry import missing, registered
        from frontdesk.ops import serve

        serve.refuse_unsafe()
        serve.ensure_dirs()
        absent = missing()
        if absent:  # a worker that cannot run a declared task would take its messages and fail them
            raise CommandError("These tasks are declared but could not be registered: " + ", ".join(absent))
        known = registered()
        periodic = sum(1 for info in known.values() if info.kind == "periodic")
        consumer = serve.create_consumer(opts["threads"], periodic=not opts["no_periodic"])
        self.stdout.write(
            f"Frontdesk worker: {opts['threads']} threads, {len(known) - periodic} tasks and {periodic} periodic "
            f"jobs registered{' (periodic jobs off here)' if opts['no_periodic'] else ''}. Ctrl+C stops."
        )
        self.stdout.flush()
        if not opts["no_periodic"]:
            serve.catch_up()
        consumer.run()
