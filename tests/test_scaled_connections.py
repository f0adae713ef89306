"""A web process on PostgreSQL keeps its database connections in a bounded pool.

Django's persistent connections are per request context under ASGI, so without the pool every
request opened a connection of its own and left it for the garbage collector: under load the
server ran PostgreSQL out of connections ("too many clients already").
"""

from __future__ import annotations

import httpx
import pytest

from frontdesk.testing.live import LiveApp


def test_many_requests_use_a_bounded_number_of_connections(live_app: LiveApp) -> None:
    if "FRONTDESK_DATABASE_URL" not in live_app.env:
        pytest.skip("the connection pool is the scaled shape's (PostgreSQL); the SQLite pass has no pool")
    name = live_app.env["FRONTDESK_DATABASE_URL"].rsplit("/", 1)[1]
    with httpx.Client(base_url=live_app.url) as client:
        for _ in range(150):
            assert client.get("/healthz").status_code == 200
            assert client.get("/api/v1/tickets").status_code == 401  # authentication reads the database
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(live_app.env["FRONTDESK_DATABASE_URL"])
    with psycopg.connect(host=str(cfg["HOST"]), port=int(cfg["PORT"] or 5432), user=str(cfg["USER"]),
                         password=cfg["PASSWORD"] or None, dbname="postgres") as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name]).fetchone()
    count = row[0] if row else 0
    assert count <= 8 + 2, f"{count} connections to the server's database after 300 requests"
