"""Smoke test of `frontdesk bench core` on a tiny SQLite dataset: one JSON object with positive figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.http import percentile

REPO = Path(__file__).resolve().parents[3]
TIMINGS = ("view_first_page", "view_page50", "ticket_detail", "contact360", "search")


def test_percentile_interpolates_between_ranks():
    assert percentile([10.0], 95) == 10.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 50) == 3.0
    assert percentile(list(range(1, 101)), 95) == 95.05


def test_bench_core_on_sqlite_prints_one_json_object(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_TEST_DATABASE_URL")}
    env["FRONTDESK_VAR_DIR"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "frontdesk.cli", "bench", "core", "--db", "sqlite", "--tickets", "300",
         "--requests", "5", "--create", "60"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1, out.stdout  # progress goes to stderr
    result = json.loads(lines[0])
    assert result["db"] == "sqlite" and result["tickets"] == 300
    assert result["messages"] > 300 and result["generate_s"] > 0
    for key in ("create_per_s", "create_raw_per_s", "create_ratio_to_raw"):
        assert result[key] > 0, key
    errors = {k: v for k, v in result.items() if k.endswith("_error")}
    assert not errors, errors
    for name in TIMINGS:
        assert 0 < result[f"{name}_p50_ms"] <= result[f"{name}_p95_ms"], name
    assert result["search_hits"] >= 1  # the planted word is found
    assert (tmp_path / "bench" / "sqlite" / "frontdesk.sqlite3").exists()


def test_bench_email_on_sqlite_prints_one_json_object(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_TEST_DATABASE_URL")}
    env["FRONTDESK_VAR_DIR"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "frontdesk.cli", "bench", "email", "--db", "sqlite", "--messages", "40",
         "--workers", "1,2"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=180,
    )
    assert out.returncode == 0, out.stderr[-3000:]  # the bench fails unless every message was processed
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1, out.stdout
    result = json.loads(lines[0])
    assert result["scenario"] == "email" and result["db"] == "sqlite" and result["messages"] == 40
    for key in ("workers1_per_s", "workers2_per_s", "raw_per_s", "ratio_to_raw", "scaling_1_to_2"):
        assert result[key] > 0, key
    assert (tmp_path / "bench" / "email-sqlite" / "frontdesk.sqlite3").exists()


def test_bench_email_refuses_bad_worker_counts(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_TEST_DATABASE_URL")}
    env["FRONTDESK_VAR_DIR"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "frontdesk.cli", "bench", "email", "--workers", "1,x"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
    )
    assert out.returncode != 0 and "--workers" in out.stderr
