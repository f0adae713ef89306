from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

DEFAULT_PATH = Path(settings.BASE_DIR).parent / "docs" / "api" / "openapi.json"


def openapi_text() -> str:
    """The OpenAPI document of /api/v1/ as committed: sorted keys, 2-space indent, trailing newline."""
    from frontdesk.api import api

    schema = api.get_openapi_schema()
    return json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Write the OpenAPI document of the REST API to docs/api/openapi.json (--check only compares)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", default=str(DEFAULT_PATH), help="where to write (default: docs/api/)")
        parser.add_argument("--check", action="store_true", help="fail if the file is out of date")

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["output"])
        text = openapi_text()
        if opts["check"]:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(f"{path} is out of date: run `frontdesk manage export_openapi`.")
            self.stdout.write(f"{path} is up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path}.")
