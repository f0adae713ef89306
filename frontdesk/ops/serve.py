"""Starting the processes: uvicorn for HTTP/websockets and the Huey consumer."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from django.conf import settings

from frontdesk.core.checks import unsafe_settings

log = logging.getLogger(__name__)


LOOPBACK = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


def refuse_unsafe(host: str | None = None) -> None:
    """Outside the embedded shape, refuse to start with unsafe settings; in it, refuse to be
    reachable from other machines while the demo sign-ins keep their public password."""
    problems = [] if settings.EMBEDDED else unsafe_settings()
    if settings.EMBEDDED and exposed(host or settings.HOST):
        problems += demo_password_problems()
    if problems:
        sys.stderr.write("Frontdesk refuses to start with unsafe settings:\n")
        for p in problems:
            sys.stderr.write(f"  - {p}\n")
        sys.exit(3)


def exposed(host: str) -> bool:
    """Whether other machines can reach this server: it listens beyond loopback, or answers to
    host names other than loopback ones."""
    return host not in LOOPBACK or any(name not in LOOPBACK for name in settings.ALLOWED_HOSTS)


def demo_password_problems() -> list[str]:
    """The demo accounts that still sign in with the password printed in the README."""
    from django.db.utils import DatabaseError

    from frontdesk.accounts.models import User
    from frontdesk.ops.demo_accounts import DEMO_PASSWORD, DEMO_SIGN_INS

    try:
        users = list(User.objects.filter(email__in=[email for _, email, _ in DEMO_SIGN_INS], is_active=True))
    except DatabaseError:  # no schema yet: no accounts either
        return []
    open_doors = [u.email for u in users if u.check_password(DEMO_PASSWORD)]
    if not open_doors:
        return []
    return [
        f"this server is reachable from other machines (--host / FRONTDESK_HOST, FRONTDESK_ALLOWED_HOSTS) while "
        f"the demo sign-ins {', '.join(open_doors)} still use the public password {DEMO_PASSWORD!r}: run "
        "`frontdesk demo --retire` (deactivates them), or give each a new password in Settings → Users."
    ]


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
        # The client address the throttles count (REMOTE_ADDR) comes from X-Forwarded-For only when
        # the connection is from a proxy listed in FRONTDESK_TRUSTED_PROXIES; from anyone else the
        # header is ignored, so a client cannot pick the address it is throttled under.
        proxy_headers=bool(settings.TRUSTED_PROXIES),
        forwarded_allow_ips=list(settings.TRUSTED_PROXIES) or None,
        lifespan="off",
    )
