"""The scaled shape survives PostgreSQL and Redis restarts under load.

A real `frontdesk web` runs against a private PostgreSQL cluster and a private Redis (started here,
on loopback ports of their own, so they can be stopped without touching the machine's shared
servers) while three clients POST tickets; the harness in frontdesk.testing.outages restarts one
server and returns what the clients saw. PostgreSQL down: only 201s or 503s in the one error shape
with Retry-After, pages and the health check 503 too (errors raised in middleware included), no
traceback in the log, a 201 again within 10 s of the server's return, and every 201 stored.
Redis down: HTTP goes on answering 201 (the cache degrades, rate limits fail open, lost queue
nudges are logged), and every event recorded meanwhile is dispatched by the outbox sweep.

The scaled shape is PostgreSQL's: these tests run in the suite's PostgreSQL pass, and fail rather
than skip under CI when PostgreSQL's or Redis's binaries are missing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest

from frontdesk.testing.outages import OutageFigures, OutageStack, outage_stack, postgres_restart, redis_restart
from frontdesk.testing.private_servers import missing_binaries

pytestmark = [
    pytest.mark.skipif(not os.environ.get("FRONTDESK_TEST_DATABASE_URL"),
                       reason="the scaled shape runs on PostgreSQL: the suite's PostgreSQL pass runs these"),
    pytest.mark.postgres,
    pytest.mark.redis,
]
RECOVERY_SECONDS = 10


@pytest.fixture(scope="module")
def stack() -> Iterator[OutageStack]:
    reason = missing_binaries()
    if reason:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI: the fault tests need PostgreSQL 15 and Redis binaries: {reason}")
        pytest.skip(f"the fault tests need PostgreSQL 15 and Redis binaries: {reason}")
    with outage_stack() as running:
        yield running


def _report(figures: OutageFigures) -> str:
    return json.dumps(figures.as_dict(), indent=1)


def test_a_postgresql_restart_under_load_answers_503_then_recovers_and_loses_no_write(stack: OutageStack) -> None:
    figures = postgres_restart(stack, down_for=3.0)
    print(_report(figures))  # the figures, for whoever reads the test output
    assert figures.answered_500 == 0, _report(figures)
    assert figures.other_answers == [], _report(figures)  # only 201s and well-formed 503s
    assert figures.answered_503 >= 1, _report(figures)  # the outage was seen
    assert figures.tracebacks_logged == 0, stack.web.log()[-4000:]
    assert figures.seconds_to_first_2xx_after_back is not None, _report(figures)
    assert figures.seconds_to_first_2xx_after_back <= RECOVERY_SECONDS, _report(figures)
    assert figures.lost_2xx_writes == 0, _report(figures)

    probes = figures.probes_while_down
    for name in ("healthz", "page_with_session", "api_with_session", "api_with_token"):
        assert probes[name]["status"] == 503, (name, probes[name])
        assert probes[name]["retry_after"], (name, probes[name])
    assert probes["page_with_session"]["content_type"].startswith("text/html")
    assert "Temporarily unavailable" in probes["page_with_session"]["body"]
    for name in ("api_with_session", "api_with_token"):  # the session is read in middleware, before the API
        assert json.loads(probes[name]["body"])["error"]["code"] == "database_unavailable", probes[name]


def test_a_redis_restart_under_load_keeps_http_serving_and_the_outbox_redrives_events(stack: OutageStack) -> None:
    figures = redis_restart(stack, down_for=3.0)
    print(_report(figures))
    assert figures.answered_2xx == figures.requests, _report(figures)
    assert figures.answered_2xx_while_down >= 10, _report(figures)
    assert figures.seconds_to_first_2xx_after_back is not None, _report(figures)
    assert figures.lost_2xx_writes == 0, _report(figures)
    assert figures.tracebacks_logged == 0, stack.web.log()[-4000:]
    extra = figures.extra
    assert extra["nudges_logged_lost"] >= 1, _report(figures)  # requests did meet the outage after commit
    assert extra["cache_warnings_logged"] >= 1, _report(figures)
    assert extra["events_pending_before_sweep"] >= 1, _report(figures)
    assert extra["events_undispatched_after_sweep"] == 0, _report(figures)
    assert extra["handler_runs_not_done"] == 0, _report(figures)
