from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Run background tasks and periodic jobs (the scaled shape). Any number may run; each event "
        "handler runs once per event however many workers race for it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--threads", type=int, default=settings.HUEY["consumer"]["workers"],
                            help="worker threads (FRONTDESK_WORKER_THREADS)")
        parser.add_argument("--no-periodic", action="store_true", help="do not run periodic jobs here")

    def handle(self, *args: Any, **opts: Any) -> None:
        from frontdesk.ops import serve

        serve.refuse_unsafe()
        serve.ensure_dirs()
        from huey.contrib.djhuey import HUEY

        consumer = HUEY.create_consumer(
            workers=opts["threads"], worker_type="thread", periodic=not opts["no_periodic"]
        )
        self.stdout.write(f"Frontdesk worker: {opts['threads']} threads. Ctrl+C stops.")
        consumer.run()
