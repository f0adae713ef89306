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


def create_consumer(workers: int | None = None, periodic: bool = True):  # type: ignore[no-untyped-def]
    """A Huey consumer with threads; every task is registered by then (core's ready())."""
    from huey.contrib.djhuey import HUEY

    return HUEY.create_consumer(
        workers=workers or settings.HUEY["consumer"]["workers"], worker_type="thread", periodic=periodic,
        check_worker_health=True,
    )


def catch_up() -> None:
    """Enqueue the periodic jobs whose latest scheduled time has no run (missed while no worker ran)."""
    from frontdesk.core.jobs.periodic import enqueue_overdue

    try:
        names = enqueue_overdue()
    except Exception:  # the database or queue is down: the scheduler offers them at their next time
        log.exception("could not catch up on periodic jobs")
        return
    if names:
        log.info("caught up on periodic jobs: %s", ", ".join(names))


def start_consumer(workers: int | None = None, periodic: bool = True):  # type: ignore[no-untyped-def]
    """The embedded shape's in-process consumer, started in threads."""
    consumer = create_consumer(workers, periodic)
    consumer.start()
    if periodic:
        catch_up()
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
