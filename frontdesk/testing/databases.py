"""Private PostgreSQL databases for the servers that tests and benchmarks start (no pytest here:
``frontdesk bench`` uses these after the plain set-up)."""

from __future__ import annotations


def fresh_postgres_database(base: str, name: str) -> str:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(base)
    host, port = str(cfg["HOST"] or "127.0.0.1"), int(cfg["PORT"] or 5432)
    with psycopg.connect(
        host=host, port=port, user=str(cfg["USER"] or "postgres"), password=cfg["PASSWORD"] or None,
        dbname="postgres", autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = cfg["USER"] or "postgres"
    if cfg["PASSWORD"]:
        auth += f":{cfg['PASSWORD']}"
    return f"postgres://{auth}@{host}:{port}/{name}"


def drop_postgres_database(url: str) -> None:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    with psycopg.connect(host=cfg["HOST"], port=cfg["PORT"], user=cfg["USER"], password=cfg["PASSWORD"] or None,
                         dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}" WITH (FORCE)')
