"""`frontdesk bench signin`: the server time of a sign-in (POST /login/), p50 and p95.

A fresh database gets agents whose passwords are hashed with the configured hasher (the steady
state) and agents whose passwords were hashed with Django's stock Argon2 parameters (m=100 MiB,
t=2, p=8, what earlier releases stored), so the run also times the one sign-in that upgrades an
old hash. Each sign-in is a new browser: GET /login/ for the CSRF cookie (not timed), then the
POST with a good password (timed, by round trip and by the server's Server-Timing header).

The references, measured in the same run: one verification of the configured hash alone
(``hash_verify_p50_ms``), so ``signin_to_hash_ratio`` says what the rest of the sign-in (session,
throttle, queries) adds whatever the machine's load, and one verification of a hash with Django's
stock parameters (``stock_hash_verify_p50_ms``), what every sign-in cost before.

`python -m bench.signin [--db sqlite|postgres] [--signins N]` runs it without the `frontdesk` command;
`python -m bench.signin setup ...` is the step that runs inside Django against the bench database.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.core import REPO, bench_env, log, migrate, prepare_postgres, prepare_sqlite
from bench.http import Server, summary

PASSWORD = "bench-signin-password-42"  # noqa: S105 - a benchmark account on a throwaway database
LEGACY = {"time_cost": 2, "memory_cost": 102400, "parallelism": 8}  # Django's stock Argon2PasswordHasher


def _signin_pg_url() -> str:
    from urllib.parse import urlparse, urlunparse

    from bench.core import DEFAULT_PG_URL

    base = urlparse(os.environ.get("FRONTDESK_BENCH_DATABASE_URL", DEFAULT_PG_URL))
    return urlunparse(base._replace(path=base.path.rstrip("/") + "_signin"))


def run(*, db: str = "sqlite", signins: int = 40, legacy: int = 5, var_root: Path) -> dict[str, Any]:
    if db not in ("sqlite", "postgres"):
        raise SystemExit("bench: --db is sqlite or postgres")
    signins = max(2, signins)
    legacy = max(1, legacy)
    var_dir = var_root / "bench" / f"signin-{db}"
    pg_url = _signin_pg_url() if db == "postgres" else None
    if db == "postgres":
        assert pg_url is not None
        var_dir.mkdir(parents=True, exist_ok=True)
        prepare_postgres(pg_url, keep=False)
    else:
        prepare_sqlite(var_dir, keep=False)
    env = bench_env(db, var_dir, pg_url)
    env["FRONTDESK_SECURE_COOKIES"] = "false"  # the benchmark's browser talks plain HTTP on loopback
    log("migrating a fresh sign-in database")
    migrate(env)
    out = subprocess.run(
        [sys.executable, "-m", "bench.signin", "setup", "--users", str(signins), "--legacy", str(legacy)],
        env=env, cwd=REPO, stdout=subprocess.PIPE, check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"bench: the sign-in setup step failed with status {out.returncode}")
    prep = json.loads(out.stdout.decode().strip().splitlines()[-1])
    result: dict[str, Any] = {"scenario": "signin", "db": db, "signins": signins, **prep["reference"]}
    log(f"starting the server and timing {signins} sign-ins and {legacy} upgrading ones")
    with Server(env) as server:
        _sign_in(server.url, prep["users"][0])  # warm-up: imports, template and connection caches
        steady = [_sign_in(server.url, prep["users"][i % len(prep["users"])]) for i in range(signins)]
        upgrading = [_sign_in(server.url, email) for email in prep["legacy_users"]]
        again = [_sign_in(server.url, email) for email in prep["legacy_users"]]
    result.update(summary("signin", [s[0] for s in steady]))
    result.update(summary("signin_server", [s[1] for s in steady]))
    result.update(summary("signin_upgrading_server", [s[1] for s in upgrading]))
    result.update(summary("signin_after_upgrade_server", [s[1] for s in again]))
    hash_ms = float(result["hash_verify_p50_ms"]) or 1.0
    result["signin_to_hash_ratio"] = round(float(result["signin_server_p50_ms"]) / hash_ms, 2)
    result["cpu_count"] = os.cpu_count()
    return result


def _sign_in(url: str, email: str) -> tuple[float, float]:
    """One sign-in from a new browser: (round trip ms, server ms)."""
    with httpx.Client(base_url=url, timeout=60) as client:
        page = client.get("/login/")
        token = client.cookies.get("csrftoken")
        if page.status_code != 200 or not token:
            raise RuntimeError(f"GET /login/ answered {page.status_code} without a CSRF cookie")
        started = time.perf_counter()
        response = client.post("/login/", data={"email": email, "password": PASSWORD, "csrfmiddlewaretoken": token,
                                                "next": "/"}, headers={"Referer": f"{url}/login/"})
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 302 or "sessionid" not in response.cookies:
            raise RuntimeError(f"POST /login/ for {email} answered {response.status_code}: {response.text[:200]}")
        timing = response.headers.get("server-timing", "")
        server_ms = float(timing.split("dur=", 1)[1].split(",")[0]) if "dur=" in timing else elapsed
        return elapsed, server_ms


# --- the step that runs inside Django ----------------------------------------------------------


def _median(samples: list[float]) -> float:
    ordered = sorted(samples)
    return round(ordered[len(ordered) // 2], 2)


def step_setup(users: int, legacy: int) -> dict[str, Any]:
    """Create the agents (configured hasher, and the legacy parameters) and time the hasher alone."""
    from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, get_hasher, make_password

    from frontdesk.accounts.models import Role, User

    class LegacyArgon2(Argon2PasswordHasher):
        time_cost = LEGACY["time_cost"]
        memory_cost = LEGACY["memory_cost"]
        parallelism = LEGACY["parallelism"]

    encoded = make_password(PASSWORD)
    hashed = []
    for _ in range(15):
        started = time.perf_counter()
        check_password(PASSWORD, encoded)
        hashed.append((time.perf_counter() - started) * 1000)
    hasher = get_hasher()
    params = hasher.decode(encoded) if hasattr(hasher, "decode") else {}
    emails = [f"signin{i}@agents.bench.test" for i in range(min(users, 20))]
    User.objects.bulk_create([User(email=e, name=e, role=Role.AGENT, password=encoded) for e in emails])
    legacy_emails = [f"legacy{i}@agents.bench.test" for i in range(legacy)]
    old = LegacyArgon2()
    User.objects.bulk_create([
        User(email=e, name=e, role=Role.AGENT, password=old.encode(PASSWORD, old.salt())) for e in legacy_emails
    ])
    stock = old.encode(PASSWORD, old.salt())
    stock_ms = []
    for _ in range(7):
        started = time.perf_counter()
        old.verify(PASSWORD, stock)
        stock_ms.append((time.perf_counter() - started) * 1000)
    return {
        "users": emails,
        "legacy_users": legacy_emails,
        "reference": {
            "hash_verify_p50_ms": _median(hashed),
            "stock_hash_verify_p50_ms": _median(stock_ms),  # Django's stock Argon2 parameters, same run
            "hasher": f"{hasher.algorithm} {params.get('variety', '')}".strip(),
            "hash_memory_kib": params.get("memory_cost"),
            "hash_time_cost": params.get("time_cost"),
            "hash_parallelism": params.get("parallelism"),
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.signin")
    parser.add_argument("step", nargs="?", choices=("run", "setup"), default="run")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--signins", type=int, default=40, help="timed sign-ins")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--legacy", type=int, default=5, help="accounts whose hash is upgraded on sign-in")
    args = parser.parse_args(argv)
    if args.step == "setup":
        import django

        django.setup()
        result = step_setup(args.users, args.legacy)
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdesk.settings")
        from django.conf import settings

        result = run(db=args.db, signins=args.signins, legacy=args.legacy, var_root=Path(settings.VAR_DIR))
    sys.stdout.write(json.dumps(result, sort_keys=True) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
