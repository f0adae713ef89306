from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from frontdesk.core.checks import unsafe_settings
from frontdesk.ops.status import background_report


class Command(BaseCommand):
    help = (
        "Check the configuration: the database answers, the settings are consistent, and (with --deploy, "
        "or whenever FRONTDESK_DATABASE_URL is set) nothing unsafe is configured. Then the background side: "
        "the tasks and periodic jobs this environment registers (fails when one an app declares is missing), "
        "their last runs, the queue (fails on a queued task nobody here knows), the outbox and the IMAP "
        "mailboxes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--deploy", action="store_true", help="apply the production checks")
        parser.add_argument("--quiet", action="store_true", help="print problems only")

    def handle(self, *args: Any, **opts: Any) -> None:
        call_command("check", verbosity=0)
        try:
            connection.ensure_connection()
        except Exception as exc:
            raise CommandError(f"The database does not answer: {exc}") from None
        shape = "embedded (SQLite, in-process worker)" if settings.EMBEDDED else "scaled"
        self.stdout.write(f"Shape: {shape}; database: {connection.vendor}")
        if opts["deploy"] or not settings.EMBEDDED:
            problems = unsafe_settings()
            if problems:
                raise CommandError("Unsafe settings:\n  - " + "\n  - ".join(problems))
        report = background_report()
        if not opts["quiet"]:
            for line in report.lines:
                self.stdout.write(line)
        if report.problems:
            raise CommandError("Background work is not set up right:\n  - " + "\n  - ".join(report.problems))
        self.stdout.write(self.style.SUCCESS("Configuration OK."))
