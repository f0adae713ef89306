"""The HTTP inbound endpoint of a real `frontdesk web` on the embedded SQLite file, processing in
the background: three senders posting at once all get 202 once their message is stored (the
intake's batches hold SQLite's one writer only briefly, so no store fails), and every message is
processed just after, replies on the tickets their originals opened."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from frontdesk.channels.email.tests.test_imap_support import mail
from frontdesk.channels.email.tests.test_intake_batches import SETUP, reply
from frontdesk.testing.private_servers import FRONTDESK, ROOT, free_port, wait_for

SECRET = """
import django; django.setup()
from frontdesk.channels.email.models import Mailbox
box = Mailbox.objects.get()
print(box.pk, box.inbound_secret)
"""


@pytest.mark.skipif(os.environ.get("FRONTDESK_TEST_DATABASE_URL_ACTIVE") is not None, reason="SQLite file")
def test_three_senders_at_once_are_all_acknowledged_and_processed(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDESK_", "DJANGO_"))}
    env.update(FRONTDESK_VAR_DIR=str(tmp_path), FRONTDESK_TEST_FAST_HASHER="true",
               FRONTDESK_INTAKE_IMMEDIATE="false", DJANGO_SETTINGS_MODULE="frontdesk.settings")
    subprocess.run([FRONTDESK, "migrate"], cwd=ROOT, env=env, capture_output=True, check=True, timeout=180)
    for code in (SETUP, SECRET):
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
    mailbox_id, secret = done.stdout.split()
    port = free_port()
    with (tmp_path / "web.log").open("wb") as log:
        proc = subprocess.Popen([FRONTDESK, "web", "--port", str(port)], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert proc.poll() is None, (tmp_path / "web.log").read_text()
        try:
            return httpx.get(url + "/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def send(sender: int) -> list[tuple[int, dict[str, object]]]:
        answers = []
        with httpx.Client(base_url=url, timeout=60, headers={"X-Mailbox-Secret": secret,
                                                             "Content-Type": "message/rfc822"}) as client:
            for k in range(10):  # 5 new conversations, each answered by its sender
                n = sender * 100 + k
                raw = mail(n) if k < 5 else reply(n, n - 5)
                response = client.post(f"/api/v1/mail/inbound/{mailbox_id}", content=raw)
                answers.append((response.status_code, response.json()))
        return answers

    try:
        wait_for(up, timeout=60, what="frontdesk web answering", interval=0.2)
        with ThreadPoolExecutor(3) as pool:
            answers = [a for got in pool.map(send, (1, 2, 3)) for a in got]
        assert [code for code, _ in answers] == [202] * 30, answers
        assert {(body["status"], body["ticket_id"]) for _, body in answers} == {("received", None)}, "202: stored"
        db = tmp_path / "frontdesk.sqlite3"

        def statuses() -> dict[str, int]:
            with sqlite3.connect(db, timeout=20) as conn:
                return dict(conn.execute("select status, count(*) from channel_email_inboundemail group by status"))

        deadline = time.monotonic() + 60
        while statuses() != {"processed": 30} and time.monotonic() < deadline:
            time.sleep(0.05)
        assert statuses() == {"processed": 30}
        with sqlite3.connect(db) as conn:
            assert conn.execute("select count(*) from tickets_ticket").fetchone() == (15,)
            assert conn.execute("select count(*) from tickets_message").fetchone() == (30,)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
