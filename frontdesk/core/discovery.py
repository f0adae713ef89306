"""Finding the modules each app contributes by name (handlers, tasks), so wiring lives in the
apps' own files rather than in settings strings, and every process finds the same set."""

from __future__ import annotations

from pathlib import Path

from django.apps import apps


def app_modules(stem: str) -> list[tuple[str, Path]]:
    """Every Frontdesk app's ``<stem>.py`` and ``*_<stem>.py`` modules, as (dotted name, file),
    in a stable order."""
    found: list[tuple[str, Path]] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("frontdesk."):
            continue
        for path in sorted(Path(config.path).glob(f"*{stem}.py")):
            if path.stem == stem or path.stem.endswith(f"_{stem}"):
                found.append((f"{config.name}.{path.stem}", path))
    return found
