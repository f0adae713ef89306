"""Restart PostgreSQL or Redis under load and measure what clients saw: a harness tests and benchmarks share.

``outage_stack()`` starts a private PostgreSQL cluster, a private Redis and a real `frontdesk web`
against them (frontdesk.testing.private_servers), with an API token and a contact to file tickets
for. ``postgres_restart(stack)`` and ``redis_restart(stack)`` run a bounded client loop (a few
threads POSTing tickets), stop the server, keep it down for a moment, start it again, and return
``OutageFigures``: the answers by kind, how long after the server was back the first 2xx arrived,
and how many tickets whose POST got a 201 are missing from the database (must be 0). Tests assert
on the figures; `frontdesk bench faults` prints them (``*_restart_figures``). Nothing here sleeps
to wait for a result: every wait polls a condition with a deadline.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

from frontdesk.testing.load import Answer, LoadLoop, auth_headers
from frontdesk.testing.private_servers import PrivatePostgres, PrivateRedis, WebProcess, wait_for

RECOVERY_DEADLINE = 30.0  # how long we wait for a 2xx after the server is back (the tests require 10 s)


@dataclass
class OutageStack:
    postgres: PrivatePostgres
    redis: PrivateRedis
    web: WebProcess
    requester_id: int

    def query(self, sql: str, params: Any = None) -> list[tuple]:
        """Rows from the private database (straight through psycopg, not through the server)."""
        import psycopg

        with psycopg.connect(self.postgres.dsn()) as conn:
            return conn.execute(sql, params).fetchall()


@contextlib.contextmanager
def outage_stack(*, pool_timeout: int = 2, extra_env: dict[str, str] | None = None) -> Iterator[OutageStack]:
    """The servers and the web process. ``pool_timeout`` (FRONTDESK_DB_POOL_TIMEOUT, 10 s by default in
    production) is how long a request waits for a database connection before its 503: short here, so
    that an outage of a few seconds shows its 503s (pages and health check included) within the time a
    test can spend; the recovery does not depend on it."""
    postgres = PrivatePostgres()
    redis: PrivateRedis | None = None
    web: WebProcess | None = None
    try:
        redis = PrivateRedis()
        env = {"FRONTDESK_API_RATE_LIMIT_PER_MINUTE": "1000000", "FRONTDESK_DB_POOL_TIMEOUT": str(pool_timeout),
               **(extra_env or {})}
        web = WebProcess(database_url=postgres.url, redis_url=redis.url, extra_env=env)
        web.start()
        created = httpx.post(web.url + "/api/v1/customers", headers=auth_headers(web.token), timeout=30,
                             json={"name": "Outage Tester", "email": "outage@example.com"})
        created.raise_for_status()
        yield OutageStack(postgres=postgres, redis=redis, web=web, requester_id=int(created.json()["id"]))
    finally:
        if web is not None:
            web.close()
        if redis is not None:
            redis.close()
        postgres.close()


@dataclass
class OutageFigures:
    server: str
    requests: int = 0
    answered_2xx: int = 0
    answered_503: int = 0
    answered_500: int = 0
    other_answers: list[str] = field(default_factory=list)  # anything not 2xx and not a well-formed 503
    answers_while_down: int = 0  # requests sent while the server was down
    answered_2xx_while_down: int = 0
    seconds_down: float = 0.0
    seconds_to_first_2xx_after_back: float | None = None  # None: no 2xx within RECOVERY_DEADLINE
    slowest_answer_seconds: float = 0.0
    lost_2xx_writes: int = 0  # tickets answered 201 and missing from the database: must be 0
    tracebacks_logged: int = 0  # in the server's log during the scenario
    probes_while_down: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _well_formed_503(answer: Answer) -> bool:
    return answer.status == 503 and answer.error_code == "database_unavailable" and bool(answer.retry_after)


def _figures(server: str, stack: OutageStack, answers: list[Answer], down_at: float, back_at: float) -> OutageFigures:
    figures = OutageFigures(server=server, requests=len(answers), seconds_down=round(back_at - down_at, 2))
    for a in answers:
        ok = a.status is not None and 200 <= a.status < 300
        if ok:
            figures.answered_2xx += 1
        elif _well_formed_503(a):
            figures.answered_503 += 1
        else:
            figures.answered_500 += a.status == 500
            figures.other_answers.append(f"{a.status} {a.error_code or ''} {a.detail}".strip()[:200])
        if down_at <= a.started < back_at:
            figures.answers_while_down += 1
            figures.answered_2xx_while_down += ok
        figures.slowest_answer_seconds = max(figures.slowest_answer_seconds, round(a.finished - a.started, 2))
    after = [a.finished for a in answers if a.ticket_id is not None and a.finished >= back_at]
    if after:
        figures.seconds_to_first_2xx_after_back = round(min(after) - back_at, 2)
    created = [a.ticket_id for a in answers if a.ticket_id is not None]
    stored = {row[0] for row in stack.query("SELECT id FROM tickets_ticket WHERE id = ANY(%s)", [created])}
    figures.lost_2xx_writes = len(set(created) - stored)
    return figures


def signed_in_cookies(stack: OutageStack) -> dict[str, str]:
    """A session of the administrator (signed in through the API, as the pages' script does)."""
    web = stack.web
    with httpx.Client(base_url=web.url, timeout=30) as client:
        client.post("/api/v1/auth/login", json={"email": web.admin_email, "password": web.admin_password})
        return dict(client.cookies)


def probe_pages(stack: OutageStack, cookies: dict[str, str]) -> dict[str, dict[str, Any]]:
    """One request of each kind that reads the database elsewhere than the ticket POST does: the health
    check, a page and an API list with a session (the session and the user are read in middleware,
    before any view), an API list with a token. Sent in parallel; for each: status, Content-Type,
    Retry-After and the head of the body."""
    targets = {"healthz": ("/healthz", False), "page_with_session": ("/", True),
               "api_with_session": ("/api/v1/tickets", True), "api_with_token": ("/api/v1/tickets", False)}
    results: dict[str, dict[str, Any]] = {}

    def one(name: str, path: str, with_session: bool) -> None:
        headers = {} if with_session else auth_headers(stack.web.token)
        try:
            r = httpx.get(stack.web.url + path, headers=headers, cookies=cookies if with_session else None,
                          timeout=30)
            results[name] = {"status": r.status_code, "content_type": r.headers.get("Content-Type", ""),
                             "retry_after": r.headers.get("Retry-After"), "body": r.text[:300]}
        except httpx.HTTPError as exc:
            results[name] = {"status": None, "body": f"{type(exc).__name__}: {exc}"}

    threads = [threading.Thread(target=one, args=(name, *target)) for name, target in targets.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=40)
    return results


def _run_restart(server: str, stack: OutageStack, stop: Any, start: Any, *, down_for: float, threads: int,
                 probe: bool) -> OutageFigures:
    """Load, stop the server, hold it down ``down_for`` s (probing pages meanwhile when asked), start it,
    wait for a 201 and a few more answers."""
    log_from = len(stack.web.log())
    probes: dict[str, dict[str, Any]] = {}
    cookies = signed_in_cookies(stack) if probe else {}
    with LoadLoop(stack.web.url, stack.web.token, stack.requester_id, threads=threads) as load:
        wait_for(lambda: sum(a.ticket_id is not None for a in load.snapshot()) >= 20, timeout=20,
                 what="20 tickets created before the restart")
        down_at = time.monotonic()
        stop()
        if probe:
            probes = probe_pages(stack, cookies)
        with contextlib.suppress(TimeoutError):  # holding the server down is the point: the wait times out
            wait_for(lambda: False, timeout=max(0.0, down_at + down_for - time.monotonic()), what="held down")
        start()
        back_at = time.monotonic()
        with contextlib.suppress(TimeoutError):  # a missing recovery is a figure (None), asserted by the caller
            wait_for(lambda: any(a.ticket_id is not None and a.finished >= back_at for a in load.snapshot()),
                     timeout=RECOVERY_DEADLINE, what="a 201 after the server was back")
        settled = len(load.snapshot())
        wait_for(lambda: len(load.snapshot()) >= settled + 10, timeout=20, what="10 more answers after recovery")
    figures = _figures(server, stack, load.snapshot(), down_at, back_at)
    figures.probes_while_down = probes
    figures.tracebacks_logged = stack.web.log()[log_from:].count("Traceback (most recent call last)")
    return figures


def postgres_restart(stack: OutageStack, *, down_for: float = 3.0, threads: int = 3) -> OutageFigures:
    """``pg_ctl stop -m fast`` under load, at least ``down_for`` seconds down (and until the page probes,
    which wait up to the pool timeout, have answered), then start again."""
    return _run_restart("postgresql", stack, stack.postgres.stop, stack.postgres.start, down_for=down_for,
                        threads=threads, probe=True)


def redis_restart(stack: OutageStack, *, down_for: float = 3.0, threads: int = 3) -> OutageFigures:
    """Stop Redis (no persistence: its queue is lost too) under load, then start it and re-drive the outbox.

    No worker runs here, so every event stays in the outbox; the sweep (what the worker's minutely job
    runs) is called through `frontdesk shell` with its grace period set to zero, because the test
    cannot wait the 30 s the sweep normally leaves for a nudge to arrive."""
    log_from = len(stack.web.log())
    figures = _run_restart("redis", stack, stack.redis.stop, stack.redis.start, down_for=down_for, threads=threads,
                           probe=False)
    log = stack.web.log()[log_from:]
    pending = stack.query("SELECT count(*) FROM core_outboxevent WHERE dispatched_at IS NULL")[0][0]
    swept = stack.web.manage("shell", "-c", (
        "from datetime import timedelta\nfrom frontdesk.core.events import dispatcher\n"
        "dispatcher.SWEEP_GRACE = timedelta(0)\nprint(dispatcher.sweep(limit=1_000_000))"
    )).strip().splitlines()[-1]
    left = stack.query("SELECT count(*) FROM core_outboxevent WHERE dispatched_at IS NULL")[0][0]
    failed = stack.query("SELECT count(*) FROM core_handlerrun WHERE status <> 'done'")[0][0]
    figures.extra.update(events_pending_before_sweep=pending, events_swept=int(swept),
                         events_undispatched_after_sweep=left, handler_runs_not_done=failed,
                         nudges_logged_lost=log.count("task queue unreachable"),
                         cache_warnings_logged=log.count("Redis cache unreachable"))
    return figures


def postgres_restart_figures(*, pool_timeout: int = 2, down_for: float = 3.0, threads: int = 3) -> dict[str, Any]:
    """For benchmarks (`frontdesk bench faults`): a stack of its own, one PostgreSQL restart, the figures."""
    with outage_stack(pool_timeout=pool_timeout) as stack:
        return postgres_restart(stack, down_for=down_for, threads=threads).as_dict()


def redis_restart_figures(*, down_for: float = 3.0, threads: int = 3) -> dict[str, Any]:
    """For benchmarks (`frontdesk bench faults`): a stack of its own, one Redis restart, the figures."""
    with outage_stack() as stack:
        return redis_restart(stack, down_for=down_for, threads=threads).as_dict()
