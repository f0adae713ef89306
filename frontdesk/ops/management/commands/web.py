from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from frontdesk.ops import serve


class Command(BaseCommand):
    help = (
        "Serve HTTP and websockets (the scaled shape). Run any number of these on any hosts behind a load "
        "balancer; they share PostgreSQL (FRONTDESK_DATABASE_URL) and Redis (FRONTDESK_REDIS_URL)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.HOST, help="address to listen on (FRONTDESK_HOST)")
        parser.add_argument("--port", type=int, default=settings.PORT, help="port (FRONTDESK_PORT)")
        parser.add_argument("--workers", type=int, default=1, help="server processes on this host")

    def handle(self, *args: Any, **opts: Any) -> None:
        serve.refuse_unsafe(opts["host"])
        serve.ensure_dirs()
        serve.serve(opts["host"], opts["port"], workers=opts["workers"])
