"""`frontdesk bench core`: generate a dataset, time ticket creation against raw SQL, time hot reads over HTTP.

The parent process (this module) never touches the bench database through Django: it prepares
the database, runs `frontdesk migrate` and the `bench.worker` steps in subprocesses whose
environment points at the bench database, then starts `frontdesk web` and times requests.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

from bench.http import REPO, Server, Timer, server_env, summary

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/frontdesk_bench"
BENCH_SECRET = "frontdesk-bench-only-secret-key-0123456789abcdefghijklmnop"


def log(msg: str) -> None:
    sys.stderr.write(f"[bench] {msg}\n")
    sys.stderr.flush()


def bench_env(db: str, var_dir: Path, pg_url: str | None = None) -> dict[str, str]:
    """The environment of every process that works on the bench database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_TEST_DATABASE_URL")}
    env.pop("FRONTDESK_DATABASE_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "frontdesk.settings"
    env["FRONTDESK_VAR_DIR"] = str(var_dir)
    env["FRONTDESK_MEDIA_ROOT"] = str(var_dir / "files")
    env["FRONTDESK_HUEY_IMMEDIATE"] = "false"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    if db == "postgres":
        env["FRONTDESK_DATABASE_URL"] = pg_url or os.environ.get("FRONTDESK_BENCH_DATABASE_URL", DEFAULT_PG_URL)
        env.setdefault("FRONTDESK_SECRET_KEY", BENCH_SECRET)
        env["FRONTDESK_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    return server_env(env)


def _pg_name() -> str:
    return urlparse(os.environ.get("FRONTDESK_BENCH_DATABASE_URL", DEFAULT_PG_URL)).path.lstrip("/")


def prepare_postgres(url: str, keep: bool) -> bool:
    """Drop and create the bench database (unless ``keep`` and it exists). True when it already existed."""
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"bench: refusing a database name like {name!r}")
    admin_url = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if exists and keep:
            return True
        if exists:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return False


def prepare_sqlite(var_dir: Path, keep: bool) -> bool:
    db_file = var_dir / "frontdesk.sqlite3"
    if keep and db_file.exists():
        return True
    if var_dir.exists():
        shutil.rmtree(var_dir)
    var_dir.mkdir(parents=True)
    return False


def run_step(env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run one `bench.worker` step against the bench database; it prints one JSON object."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.worker", *args], env=env, cwd=REPO, stdout=subprocess.PIPE, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"bench: step {args[0]} failed with status {out.returncode}")
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "frontdesk.cli", "migrate", "--noinput", "-v", "0"],
        env=env,
        cwd=REPO,
        check=True,
        stdout=sys.stderr,
    )


def run(
    *,
    db: str,
    tickets: int,
    keep: bool = False,
    requests: int = 200,
    create: int = 500,
    seed: int = 1,
    var_root: Path,
) -> dict[str, Any]:
    if db not in ("sqlite", "postgres"):
        raise SystemExit("bench: --db is sqlite or postgres")
    # one directory (huey queue, files) and one dataset record per bench database
    var_dir = var_root / "bench" / (db if db == "sqlite" else f"postgres-{_pg_name()}")
    env = bench_env(db, var_dir)
    var_dir.mkdir(parents=True, exist_ok=True)
    meta_file = var_dir.parent / f"{var_dir.name}-dataset.json"
    existed = (
        prepare_postgres(env["FRONTDESK_DATABASE_URL"], keep)
        if db == "postgres"
        else prepare_sqlite(var_dir, keep)
    )
    env = bench_env(db, var_dir)  # prepare_sqlite may have recreated the directory
    log(f"database ready ({'kept' if existed else 'new'}); migrating")
    migrate(env)
    dataset: dict[str, Any] | None = None
    if existed and meta_file.exists():
        dataset = json.loads(meta_file.read_text())
        if dataset.get("tickets") != tickets:
            raise SystemExit(
                f"bench: the kept {db} database holds {dataset.get('tickets')} tickets, not {tickets}:"
                " run without --keep to regenerate it"
            )
        log(f"reusing the kept dataset of {tickets} tickets")
    if dataset is None:
        log(f"generating {tickets} tickets")
        started = time.perf_counter()
        dataset = run_step(env, "generate", "--tickets", str(tickets), "--seed", str(seed))
        dataset["generate_s"] = round(time.perf_counter() - started, 1)
        meta_file.write_text(json.dumps(dataset))
    result: dict[str, Any] = {
        "scenario": "core",
        "db": db,
        "tickets": tickets,
        "messages": dataset["messages"],
        "contacts": dataset["contacts"],
        "generate_s": dataset["generate_s"],
        "dataset_reused": existed,
    }
    log(f"timing {create} ticket creations through the service layer and as raw SQL")
    result.update(run_step(env, "create", "--count", str(create), "--seed", str(seed)))
    prep = run_step(env, "http-setup")
    log(f"starting the server and timing {requests} requests per endpoint")
    with Server(env) as server:
        result.update(measure_http(server.url, prep, dataset, requests))
        result.update(measure_pages(server.url, prep, dataset, requests))
    result["cpu_count"] = os.cpu_count()
    return result


def measure_http(url: str, prep: dict[str, Any], dataset: dict[str, Any], requests: int) -> dict[str, Any]:
    """p50/p95 of each hot read. An endpoint that fails is reported as ``<name>_error`` and skipped."""
    timer = Timer(url, prep["token"])
    out: dict[str, Any] = {"requests_per_endpoint": requests}
    view_path = f"/api/v1/views/{prep['view_id']}/tickets"
    ids = prep["sample_ticket_ids"]
    busy = dataset["busy_contact_id"]
    word = dataset["planted_word"]

    def page50() -> list[float]:
        cursor, pages = None, 1
        for _ in range(49):
            page = timer.get(view_path, {"cursor": cursor} if cursor else None)
            if not page.get("next_cursor"):
                break
            cursor, pages = page["next_cursor"], pages + 1
        out["view_page50_page"] = pages
        params = {"cursor": cursor} if cursor else None
        return timer.time(requests, lambda i: (view_path, params))

    def search() -> list[float]:
        samples = timer.time(requests, lambda i: ("/api/v1/search", {"q": word}))
        out["search_planted_tickets"] = dataset["planted_tickets"]
        out["search_hits"] = _count_ticket_hits(timer.get("/api/v1/search", {"q": word}))
        return samples

    measures = {
        "view_first_page": lambda: timer.time(requests, lambda i: (view_path, None)),
        "view_page50": page50,
        "ticket_detail": lambda: timer.time(
            requests, lambda i: (f"/api/v1/tickets/{ids[i % len(ids)]}", None)
        ),
        "contact360": lambda: timer.time(requests, lambda i: (f"/api/v1/customers/{busy}/360", None)),
        "search": search,
    }
    try:
        for name, measure in measures.items():
            try:
                out.update(summary(name, measure()))
            except RuntimeError as exc:
                log(f"{name}: {exc}")
                out[f"{name}_error"] = str(exc)[:200]
    finally:
        timer.close()
    return out


def measure_pages(url: str, prep: dict[str, Any], dataset: dict[str, Any], requests: int) -> dict[str, Any]:
    """The workspace pages an agent works in, signed in with a session: round trip and server time
    (the Server-Timing header) p50/p95 of each."""
    ids = prep["sample_ticket_ids"]
    pages: dict[str, Callable[[int], tuple[str, dict[str, Any] | None]]] = {
        "page_views": lambda i: ("/views/", None),
        "page_list": lambda i: (f"/views/{prep['view_id']}/", None),
        "page_ticket": lambda i: (f"/tickets/{ids[i % len(ids)]}/", None),
        "page_customer": lambda i: (f"/customers/{dataset['busy_contact_id']}/", None),
    }
    out: dict[str, Any] = {}
    for name, make in pages.items():
        timer = Timer(url, session=prep["session"])
        try:
            samples = timer.time(requests, make)
            out.update(summary(name, samples))
            out.update(summary(f"{name}_server", timer.server_ms))
        except RuntimeError as exc:
            log(f"{name}: {exc}")
            out[f"{name}_error"] = str(exc)[:200]
        finally:
            timer.close()
    return out


def _count_ticket_hits(found: Any) -> int:
    if isinstance(found, dict):
        for key in ("tickets", "items", "results"):
            value = found.get(key)
            if isinstance(value, list):
                return len(value)
            if isinstance(value, dict) and isinstance(value.get("items"), list):
                return len(value["items"])
    return 0
