"""`frontdesk manage search_rebuild`: rebuild the full-text index of tickets and contacts."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Rebuild the search index (tickets and contacts) from the database. Safe to run at any time."

    def handle(self, *args: Any, **options: Any) -> None:
        from frontdesk.tickets.search import rebuild_index

        self.stdout.write(json.dumps(rebuild_index()))
