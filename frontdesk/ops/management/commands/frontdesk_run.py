from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontdesk.ops import serve


class Command(BaseCommand):
    help = (
        "Run Frontdesk in its embedded shape: migrate the database, load the demo data the first time, "
        "then serve HTTP and websockets and run the background worker, all in one process."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.HOST, help="address to listen on (FRONTDESK_HOST)")
        parser.add_argument("--port", type=int, default=settings.PORT, help="port (FRONTDESK_PORT)")
        parser.add_argument("--no-demo", action="store_true", help="do not load the demo data")

    def handle(self, *args: Any, **opts: Any) -> None:
        serve.refuse_unsafe(opts["host"])
        serve.ensure_dirs()
        call_command("migrate", interactive=False, verbosity=0)
        marker = settings.VAR_DIR / ".demo-loaded"
        if not opts["no_demo"] and not marker.exists():
            if serve.exposed(opts["host"]):
                raise CommandError(
                    "Not loading the demo (its sign-ins have a public password) on a server reachable from other "
                    "machines: start with --no-demo, or on localhost."
                )
            self.stdout.write("Loading the demo data (first run only)…")
            call_command("demo", verbosity=0)
            marker.write_text("loaded\n")
        serve.refuse_unsafe(opts["host"])  # again, now that the database is there
        url = f"http://{'localhost' if opts['host'] in ('127.0.0.1', '0.0.0.0') else opts['host']}:{opts['port']}/"
        from frontdesk.ops.demo_accounts import DEMO_SIGN_INS

        self.stdout.write(self.style.SUCCESS(f"\nFrontdesk is running at {url}\n"))
        if not opts["no_demo"]:
            self.stdout.write("Demo sign-ins:")
            for role, email, password in DEMO_SIGN_INS:
                self.stdout.write(f"  {role:<12} {email:<32} {password}")
        self.stdout.write("\nPress Ctrl+C to stop.\n")
        consumer = serve.start_consumer()
        try:
            serve.serve(opts["host"], opts["port"])
        finally:
            consumer.stop(graceful=True)
