from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the demo support organisation: teams, agents, customers, organisations, tickets. Idempotent."

    def handle(self, *args: Any, **opts: Any) -> None:
        from frontdesk.ops.demo import load_demo

        summary = load_demo(stdout=self.stdout if opts.get("verbosity", 1) > 0 else None)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {summary}"))
