"""Starting the processes: uvicorn for HTTP/websockets and the Huey consumer."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from django.conf import settings

from frontdesk.core.checks import unsafe_settings

log = logging.getLogger(__name__)


def refuse_unsafe() -> None:
    """Outside the embedded shape, refuse to start with unsafe settings."""
    if settings.EMBEDDED:
        return
    problems = unsafe_settings()
    if problems:
        sys.stderr.write("Frontdesk refuses to start with unsafe settings:\n")
        for p in problems:
            sys.stderr.write(f"  - {p}\n")
        sys.exit(3)


def ensure_dirs() -> None:
    for path in (settings.VAR_DIR, Path(settings.MEDIA_ROOT)):
        Path(path).mkdir(parents=True, exist_ok=True)


def start_consumer(workers: int | None = None, periodic: bool = True):  # type: ignore[no-untyped-def]
    from huey.contrib.djhuey import HUEY

    consumer = HUEY.create_consumer(
        workers=workers or settings.HUEY["consumer"]["workers"], worker_type="thread", periodic=periodic,
        check_worker_health=True,
    )
    consumer.start()
    return consumer


def serve(host: str, port: int, workers: int = 1, log_level: str = "warning") -> None:
    import uvicorn

    uvicorn.run(
        "frontdesk.asgi:application",
        host=host,
        port=port,
        workers=workers if workers > 1 else None,
        log_level=log_level,
        proxy_headers=True,
        lifespan="off",
    )
