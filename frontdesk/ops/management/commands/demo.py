from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Load the demo support organisation: teams, agents, customers in organisations with purchases, "
        "and tickets with conversations over the last 90 days. Idempotent: a second run adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, default=2000, help="number of tickets (default 2000)")
        parser.add_argument("--customers", type=int, default=300, help="number of customers (default 300)")
        parser.add_argument("--organisations", type=int, default=40, help="number of organisations (default 40)")
        parser.add_argument("--retire", action="store_true",
                            help="deactivate the demo sign-ins (their password is public) and load nothing")

    def handle(self, *args: Any, **opts: Any) -> None:
        from frontdesk.ops.demo import load_demo, retire_demo_sign_ins

        if opts["retire"]:
            self.stdout.write(self.style.SUCCESS(f"{retire_demo_sign_ins()} demo sign-ins deactivated."))
            return

        summary = load_demo(
            stdout=self.stdout if opts.get("verbosity", 1) > 0 else None,
            tickets=opts["tickets"], customers=opts["customers"], organisations=opts["organisations"],
        )
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {summary}"))
