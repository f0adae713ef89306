"""`frontdesk run` as a user starts it: one process serving HTTP, websockets and the worker."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

ROOT = Path(__file__).resolve().parents[1]
FRONTDESK = str(Path(sys.executable).with_name("frontdesk"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    var = tmp_path_factory.mktemp("var")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDESK_", "DJANGO_"))}
    env.update(FRONTDESK_VAR_DIR=str(var), FRONTDESK_PORT=str(port))
    proc = subprocess.Popen(
        [FRONTDESK, "run", "--no-demo"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"frontdesk run exited early:\n{proc.stdout.read() if proc.stdout else ''}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("frontdesk run did not answer within 60 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert (var / "frontdesk.sqlite3").exists(), "the embedded database lives under the var dir"


def test_serves_pages_and_local_assets(server: str) -> None:
    home = httpx.get(server + "/")
    assert home.status_code == 200 and "Frontdesk" in home.text
    assert home.headers["server-timing"].startswith("app;dur="), "operators and the benchmark read server time"
    css = httpx.get(server + "/static/frontdesk/base.css")
    assert css.status_code == 200 and "--accent" in css.text
    docs = httpx.get(server + "/api/v1/docs")
    assert docs.status_code == 200
    assert "cdn." not in docs.text, "the API reference must not load anything from a CDN"
    assert httpx.get(server + "/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_api_answers_with_the_error_shape(server: str) -> None:
    r = httpx.get(server + "/api/v1/tickets")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"


def test_websocket_refuses_foreign_origins_and_anonymous_users(server: str) -> None:
    ws_url = server.replace("http://", "ws://") + "/ws/agent/"

    async def attempt(origin: str) -> str:
        try:
            async with websockets.connect(ws_url, origin=origin, open_timeout=20) as ws:  # type: ignore[arg-type]
                await ws.recv()
                return "open"
        except websockets.exceptions.InvalidStatus as exc:
            return f"rejected {exc.response.status_code}"
        except websockets.exceptions.ConnectionClosed as exc:
            return f"closed {exc.rcvd.code if exc.rcvd else ''}"

    assert asyncio.run(attempt("http://evil.example")).startswith("rejected 403")
    port = server.rsplit(":", 1)[1]
    assert asyncio.run(attempt(f"http://localhost:{port}")) in ("closed 4401", "rejected 403")
