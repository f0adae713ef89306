"""`frontdesk worker` as an operator starts it: a fresh process that imported nothing before runs
every task that web processes queued, and every periodic job.

It used to build its consumer without the apps' task modules, so each queued dispatch was taken
off the queue and dropped ("not found in TaskRegistry") and no periodic job ever ran."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FRONTDESK = str(Path(sys.executable).with_name("frontdesk"))
PERIODIC = {
    "frontdesk.core.tasks.sweep_events_task",
    "frontdesk.core.tasks.purge_idempotency_task",
    "frontdesk.channels.email.tasks.send_due_outbound_task",
    "frontdesk.channels.email.intake_tasks.poll_imap_mailboxes_task",
    "frontdesk.channels.email.intake_tasks.process_stuck_inbound_task",
    "frontdesk.tickets.tasks.sweep_unsent_attachments_task",
}


def _env(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDESK_", "DJANGO_"))}
    env.update(FRONTDESK_VAR_DIR=str(var), FRONTDESK_TEST_FAST_HASHER="true")
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([FRONTDESK, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
                          check=False)


def _wait(condition: Callable[[], bool], seconds: float, what: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"the worker exited while waiting for {what}:\n{proc.stdout.read() if proc.stdout else ''}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {seconds} s")
        time.sleep(0.25)


def test_a_fresh_worker_runs_what_the_web_side_queued_and_every_periodic_job(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert _run(env, "migrate").returncode == 0
    demo = _run(env, "demo", "--tickets", "8", "--customers", "4", "--organisations", "1")
    assert demo.returncode == 0, demo.stderr
    db = tmp_path / "frontdesk.sqlite3"

    def query(sql: str) -> list[tuple]:
        with sqlite3.connect(db, timeout=20) as conn:
            return conn.execute(sql).fetchall()

    assert query("SELECT count(*) FROM core_outboxevent WHERE dispatched_at IS NULL")[0][0] > 0
    worker = subprocess.Popen([FRONTDESK, "worker", "--threads", "2"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        _wait(lambda: query("SELECT count(*) FROM core_outboxevent WHERE dispatched_at IS NULL")[0][0] == 0, 90,
              "the outbox draining", worker)
        _wait(lambda: {r[0] for r in query("SELECT name FROM core_jobrun WHERE succeeded_at IS NOT NULL")} >= PERIODIC,
              60, "every periodic job running once", worker)
        check = _run(env, "check")
        assert check.returncode == 0, check.stdout + check.stderr
        assert "Tasks registered in this process: 9 (declared by the apps: 9)" in check.stdout
        assert "frontdesk.core.tasks.sweep_events_task  (last started" in check.stdout
        assert "Outbox: no event waiting" in check.stdout
    finally:
        worker.terminate()
        out, _ = worker.communicate(timeout=30)
    assert "not found in TaskRegistry" not in out
    assert "Error reading from queue" not in out
    assert "3 tasks and 6 periodic jobs registered" in out.splitlines()[0]


def test_check_fails_on_a_queued_task_no_process_here_knows(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert _run(env, "migrate").returncode == 0
    queued = _run(env, "shell", "-c", (
        "from huey.contrib.djhuey import HUEY\n"
        "from huey.registry import Message\n"
        "m = Message('m1', 'frontdesk.retired.tasks.old_task', None, 0, 0, None, (), {}, None, None, None, None)\n"
        "HUEY.storage.enqueue(HUEY.serializer.serialize(m), None)\n"
    ))
    assert queued.returncode == 0, queued.stderr
    check = _run(env, "check")
    assert check.returncode != 0
    assert "ask for task frontdesk.retired.tasks.old_task, which this process does not know" in check.stderr
