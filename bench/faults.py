"""`frontdesk bench faults`: the scaled shape under faults, as figures.

1. A worker is killed with SIGKILL in the middle of N replies and started again: how many were
   delivered, how many twice, how long the rest took after the restart (the reference is the send
   lease, which bounds how long a dead worker's claimed sends wait).
2. PostgreSQL is restarted under API load: how many 503 and 500 answers, the seconds from the
   server being back to the first 2xx, and whether every 2xx write is stored.
3. Redis is restarted under API load: how many requests failed, and whether the events written
   meanwhile were dispatched afterwards.

Every part runs real processes on loopback ports of their own (frontdesk.testing.scaled and
frontdesk.testing.outages), on PostgreSQL (FRONTDESK_BENCH_DATABASE_URL or the local server).
"""

from __future__ import annotations

import sys
from typing import Any

from frontdesk.testing.private_servers import wait_for
from frontdesk.testing.scaled import (
    ScaledSite,
    customer_mail,
    deliver_by_lmtp,
    kill_worker_during_replies,
    set_up_support,
)
from frontdesk.testing.smtp_sink import SmtpSink


def worker_kill(pg_base: str, replies: int) -> dict[str, Any]:
    sink = SmtpSink()
    sink.start()
    site = ScaledSite(pg_base, extra_env={"FRONTDESK_EMAIL_SEND_LEASE_SECONDS": "15"})
    try:
        support = set_up_support(site, sink)
        deliver_by_lmtp(site, customer_mail("carol@customer.test", "bench-1@customer.test", "Invoice is wrong"),
                        "carol@customer.test", "support@acme.test")
        rows: list[tuple] = []

        def ticket_made() -> bool:
            rows[:] = site.sql("SELECT id FROM tickets_ticket WHERE subject = 'Invoice is wrong'")
            return bool(rows)

        wait_for(ticket_made, timeout=60, what="the mail becoming a ticket", interval=0.2)
        site.worker.start()
        print(f"faults: worker kill during {replies} replies…", file=sys.stderr)
        return kill_worker_during_replies(site, sink, ticket=int(rows[0][0]), token=support["agent_token"],
                                          to="carol@customer.test", replies=replies)
    finally:
        site.close()
        sink.stop()


def run(*, pg_base: str, replies: int) -> dict[str, Any]:
    result: dict[str, Any] = {"worker_kill": worker_kill(pg_base, replies)}
    result.update(outages())
    return result


def outages() -> dict[str, Any]:
    from frontdesk.testing import outages as faults

    print("faults: PostgreSQL restart under load…", file=sys.stderr)
    database = faults.postgres_restart_figures()
    print("faults: Redis restart under load…", file=sys.stderr)
    redis = faults.redis_restart_figures()
    return {"postgres_restart": database, "redis_restart": redis}
