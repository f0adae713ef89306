"""The rows the migrations seed, put back after a test that empties the database (conftest.py)."""

from __future__ import annotations

import importlib
from typing import Any

_SEEDS = (
    ("frontdesk.tickets.migrations.0002_builtin_statuses", "seed"),
    ("frontdesk.tickets.migrations.0003_search", "seed_views"),
)


def restore_seeded_rows(apps: Any) -> None:
    """Run the migrations' seeding functions again (each creates only what is missing)."""
    for module, name in _SEEDS:
        getattr(importlib.import_module(module), name)(apps, None)
