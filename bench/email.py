"""`frontdesk bench email`: a generated corpus through the whole inbound pipeline, against the
same rows written with plain SQL in the same run.

Phases, on a fresh database each run:
1. setup: the mailbox, 20 organisations with domains, known customers, and tickets whose
   Message-IDs the replies of the corpus refer to (bench/email_steps.py), then ANALYZE and an
   untimed warm-up of a tenth of the corpus, so the timed phases run in a steady state;
2. for each worker count (default 1 then 2): a new corpus of ``messages`` mails, split between
   that many worker processes, each storing then processing its share one message at a time
   (`receive_raw` then `process_inbound`, what `mail ingest` does). The clock runs from a shared
   start signal until the last worker finishes. Then one worker stores each message of another
   corpus and processes them in batches of 100 (`process_batch`: what the LMTP listener, the HTTP
   endpoint, IMAP polling and `mail import` do), reported as ``batched1_per_s``;
3. the reference: another corpus of the same size and mix, its rows (raw file and inbound row,
   contact and identity, ticket, message, search entry, outbox events, audit entry, attachment,
   Message-ID reference) written with plain SQL by one process (bench/email_raw.py).
Every message must end processed; anything else fails the run with the reasons.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bench.core import bench_env, log, migrate, prepare_postgres, prepare_sqlite, run_step
from bench.http import REPO

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/frontdesk_bench_email"


def _ingest(
    env: dict[str, str], setup: str, part: str, messages: int, workers: int, seed: int, batched: bool = False
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="fd-bench-email-") as tmp:
        go = str(Path(tmp) / "go")
        procs = []
        for shard in range(workers):
            ready = str(Path(tmp) / f"ready{shard}")
            cmd = [
                sys.executable, "-m", "bench.worker", "email-ingest", "--setup", setup, "--part", part,
                "--count", str(messages), "--shard", str(shard), "--shards", str(workers),
                "--ready", ready, "--go", go, "--seed", str(seed), *(["--batched"] if batched else []),
            ]
            procs.append((ready, subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.PIPE)))
        deadline = time.monotonic() + 300
        while not all(Path(r).exists() for r, _ in procs):
            if any(p.poll() is not None for _, p in procs) or time.monotonic() > deadline:
                for _, p in procs:
                    p.kill()
                raise SystemExit("bench: an email worker failed before starting")
            time.sleep(0.01)
        Path(go).write_text("go")
        results = []
        for _, proc in procs:
            out, _ = proc.communicate()
            if proc.returncode != 0:
                raise SystemExit(f"bench: an email worker failed with status {proc.returncode}")
            results.append(json.loads(out.decode().strip().splitlines()[-1]))
    count = sum(r["count"] for r in results)
    seconds = max(r["end"] for r in results) - min(r["start"] for r in results)
    statuses: dict[str, int] = {}
    for r in results:
        for status, n in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    if statuses.get("processed", 0) != count:
        raise SystemExit(f"bench: not every message was processed: {statuses}")
    return {"count": count, "seconds": round(seconds, 3), "per_s": round(count / seconds, 1)}


def run(*, db: str, messages: int, workers: list[int], seed: int, var_root: Path) -> dict[str, Any]:
    if db not in ("sqlite", "postgres"):
        raise SystemExit("bench: --db is sqlite or postgres")
    pg_url = os.environ.get("FRONTDESK_BENCH_EMAIL_DATABASE_URL", DEFAULT_PG_URL)
    name = urlparse(pg_url).path.lstrip("/")
    var_dir = var_root / "bench" / ("email-sqlite" if db == "sqlite" else f"email-postgres-{name}")
    if db == "postgres":
        prepare_postgres(pg_url, keep=False)
        var_dir.mkdir(parents=True, exist_ok=True)
    else:
        prepare_sqlite(var_dir, keep=False)
    env = bench_env(db, var_dir, pg_url=pg_url)
    log("database ready (new); migrating")
    migrate(env)
    setup = str(var_dir / "email-setup.json")
    log("setting up the mailbox, customers and the tickets replies thread onto")
    # 2,000 known customers and 500 threads for full runs; fewer for small ones (the smoke test)
    known, threads = max(100, min(2000, messages)), max(20, min(500, messages // 4))
    facts = run_step(env, "email-setup", "--setup", setup, "--known", str(known), "--threads", str(threads))
    result: dict[str, Any] = {"scenario": "email", "db": db, "messages": messages, **facts}
    warm = max(20, messages // 10)
    log(f"warming up: {warm} messages through the pipeline, untimed")
    _ingest(env, setup, "warm", warm, 1, seed)
    for n, count in enumerate(workers):
        part = f"w{count}x{n}"
        log(f"ingesting {messages} messages through the pipeline with {count} worker(s)")
        got = _ingest(env, setup, part, messages, count, seed)
        result[f"workers{count}_per_s"] = got["per_s"]
        result[f"workers{count}_seconds"] = got["seconds"]
    log(f"ingesting {messages} messages with 1 worker, processed in batches of 100 (the intake's way)")
    got = _ingest(env, setup, "batched", messages, 1, seed, batched=True)
    result["batched1_per_s"] = got["per_s"]
    log(f"writing the same rows for {messages} messages with plain SQL (the reference)")
    raw = run_step(env, "email-raw", "--setup", setup, "--part", "raw", "--count", str(messages),
                   "--seed", str(seed))
    result["raw_per_s"] = round(raw["count"] / raw["seconds"], 1)
    first = workers[0]
    result["ratio_to_raw"] = round(result[f"workers{first}_per_s"] / result["raw_per_s"], 3)
    result["batched_ratio_to_raw"] = round(result["batched1_per_s"] / result["raw_per_s"], 3)
    if len(workers) > 1:
        last = workers[-1]
        gain = result[f"workers{last}_per_s"] / result[f"workers{first}_per_s"]
        result[f"scaling_{first}_to_{last}"] = round(gain, 2)
    result["cpu_count"] = os.cpu_count()
    return result
