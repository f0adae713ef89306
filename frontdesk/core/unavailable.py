"""When the database is out of reach, say so: 503 with Retry-After, one log line, never a trace.

A PostgreSQL restart or failover makes every request that touches the database fail for a few
seconds. Those failures are not bugs, and a 500 with a traceback per request would bury the log
and tell clients (and load balancers) the wrong thing. The API answers the one error shape with
code ``database_unavailable``; pages get a short plain HTML page that needs neither templates nor
the database; both carry ``Retry-After``. Errors raised before the view (sessions and
authentication read the database in middleware) reach Django's ``handler500``
(``frontdesk.core.views.server_error``), the API's own through its exception handler.

What counts as an outage is the DB-API's definition: ``OperationalError`` ("errors related to the
database's operation, not necessarily under the control of the programmer": a lost connection,
a server shutting down or starting up, no connection from the pool in time) and
``InterfaceError`` (a connection already closed). Each failing request logs one line naming the
error, so a real fault still shows, once, without a trace.
"""

from __future__ import annotations

import logging
import time
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse

from frontdesk.core.errors import ServiceUnavailable

log = logging.getLogger("frontdesk.unavailable")
R = TypeVar("R", bound=HttpResponse)

RETRY_AFTER_SECONDS = 5

POOL_TIMEOUT: tuple[type[Exception], ...] = ()
try:  # Django wraps it in OperationalError when it connects; listed in case it surfaces raw
    from psycopg_pool import PoolTimeout

    POOL_TIMEOUT = (PoolTimeout,)
except ImportError:  # pragma: no cover - the embedded shape may run without psycopg_pool
    pass
DATABASE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError, *POOL_TIMEOUT)

PAGE = (
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Temporarily unavailable</title>"
    "</head>\n<body><h1>Temporarily unavailable</h1><p>Frontdesk cannot reach its database right now. "
    "Please try again in a few seconds.</p></body></html>\n"
)


def is_database_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_ERRORS)


def database_unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(
        "The database is unavailable for a moment; retry shortly.", code="database_unavailable",
        retry_after=RETRY_AFTER_SECONDS,
    )


def note_database_outage(request: HttpRequest, exc: BaseException, detail: str | None = None) -> None:
    """One log line for one failed request (what was asked and the first line of the error), and
    the pool's idle connections dropped when the error says connections were lost."""
    lines = (detail or f"{type(exc).__name__}: {exc}").strip().splitlines()
    log.warning("database unavailable, answered 503: %s %s: %s", request.method, request.path,
                lines[0] if lines else type(exc).__name__)
    if lost_connection(exc):
        drain_pools()


# SQLSTATEs of a server that ended connections: admin_shutdown, crash_shutdown, cannot_connect_now
_SERVER_ENDED = {"57P01", "57P02", "57P03"}
DRAIN_EVERY = 1.0
_drained_at = -DRAIN_EVERY


def lost_connection(exc: BaseException) -> bool:
    """True when ``exc`` says this connection is gone (the server restarted or the network broke),
    not that a query failed on a working one (a statement timeout, a deadlock) or that the pool was
    busy (PoolTimeout). Django keeps the driver's error as ``__cause__``; the driver reports
    client-side connection failures without a SQLSTATE."""
    import psycopg

    for conn in connections.all(initialized_only=True):
        raw = getattr(conn, "connection", None)
        if raw is not None and (getattr(raw, "broken", False) is True or getattr(raw, "closed", False) is True):
            return True
    cause = exc if isinstance(exc, psycopg.Error) else exc.__cause__
    if isinstance(cause, POOL_TIMEOUT):
        return False
    if isinstance(exc, InterfaceError) or isinstance(cause, psycopg.InterfaceError):
        return True
    if not isinstance(cause, psycopg.OperationalError):
        return False
    state = cause.sqlstate
    return state is None or state.startswith("08") or state in _SERVER_ENDED


def drain_pools() -> None:
    """Close the pooled connections now, at most once a second: after PostgreSQL restarted, every idle
    connection in the pool is dead, and without this each one would fail one more request before the
    pool noticed (seen: the 6 requests after a restart with no traffic during it all answered 503).
    Connections in use by other requests are replaced when they come back. (The pool's own check on
    checkout, CONN_HEALTH_CHECKS, is worse here: it backs off 1, 2, 4 s between stale connections,
    and the request timed out after 10 s.)"""
    global _drained_at
    now = time.monotonic()
    if now - _drained_at < DRAIN_EVERY:
        return
    _drained_at = now
    for conn in connections.all(initialized_only=True):
        pool = getattr(conn, "pool", None)  # the PostgreSQL backend with OPTIONS["pool"]; None otherwise
        if pool is not None:
            pool.drain()
            log.warning("database connections lost: the pool of %r was drained to reconnect", conn.alias)


def database_error_in_output(exc: ValueError) -> str | None:
    """The database error hidden in a pydantic ValidationError, if one is: building a response
    schema from a model runs its lazy queries, and pydantic reports what they raised only by name
    (``get_attribute_error`` with ``"OperationalError: ..."``)."""
    names = {cls.__name__ for cls in DATABASE_ERRORS}
    errors = getattr(exc, "errors", None)
    for error in errors() if callable(errors) else ():
        text = str(error.get("ctx", {}).get("error", ""))
        if error.get("type") == "get_attribute_error" and text.partition(":")[0] in names:
            return text
    return None


def mark_logged(response: R) -> R:
    """Logged already, in one line: keeps Django's request logger from adding its own (a trace for
    exceptions it handled, a second line for responses of 500 and more)."""
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def outage_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """The 503 for a request whose database work failed outside the API's own handler."""
    note_database_outage(request, exc)
    error = database_unavailable()
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(error.as_dict(), status=503, content_type="application/json; charset=utf-8")
    else:
        response = HttpResponse(PAGE, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(error.retry_after)
    response["Cache-Control"] = "no-store"
    return mark_logged(response)


def note_enqueue_failure(what: str, exc: Exception) -> None:
    """An after-commit nudge to the task queue was lost; the durable row it points at (an outbox event,
    an outgoing email) is re-driven by a periodic job, so the request that wrote it still succeeds.
    Redis being unreachable is an outage, logged in one line; anything else may be a bug and keeps
    its traceback."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    if isinstance(exc, RedisConnectionError | RedisTimeoutError | OSError):
        log.warning("task queue unreachable, %s left for the periodic re-drive: %s: %s",
                    what, type(exc).__name__, exc)
    else:
        log.error("could not enqueue %s; left for the periodic re-drive", what, exc_info=exc)
