"""Which client address the sign-in throttle counts, behind a proxy and without one: a real
`frontdesk web` believes X-Forwarded-For only from FRONTDESK_TRUSTED_PROXIES."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from frontdesk.testing.private_servers import FRONTDESK, ROOT, free_port, wait_for


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDESK_", "DJANGO_"))}
    env.update(FRONTDESK_VAR_DIR=str(tmp), FRONTDESK_TEST_FAST_HASHER="true", FRONTDESK_LOGIN_FAILURES_PER_IP="2",
               FRONTDESK_LOGIN_FAILURES_PER_ACCOUNT_AND_IP="2", **extra)
    return env


@pytest.fixture(scope="module")
def var(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated database for both servers (the throttle lives in each process's memory)."""
    tmp = tmp_path_factory.mktemp("proxies")
    subprocess.run([FRONTDESK, "migrate"], cwd=ROOT, env=_env(tmp), capture_output=True, check=True, timeout=180)
    return tmp


@contextmanager
def web(tmp: Path, **extra: str) -> Iterator[str]:
    port = free_port()
    env = _env(tmp, **extra)
    with (tmp / "web.log").open("wb") as log:
        proc = subprocess.Popen([FRONTDESK, "web", "--port", str(port)], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert proc.poll() is None, (tmp / "web.log").read_text()
        try:
            return httpx.get(url + "/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(up, timeout=60, what="frontdesk web answering", interval=0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def sign_in(url: str, client_address: str) -> int:
    return httpx.post(url + "/api/v1/auth/login", json={"email": "nobody@example.com", "password": "wrong-guess"},
                      headers={"X-Forwarded-For": client_address}, timeout=10).status_code


def test_behind_a_trusted_proxy_each_client_has_its_own_throttle(var: Path) -> None:
    with web(var) as url:  # the test connects from 127.0.0.1, a trusted proxy by default
        assert [sign_in(url, "203.0.113.1") for _ in range(3)] == [401, 401, 429]
        assert sign_in(url, "203.0.113.2") == 401, "another client behind the same proxy is not throttled"


def test_from_an_untrusted_peer_the_header_is_ignored(var: Path) -> None:
    with web(var, FRONTDESK_TRUSTED_PROXIES="") as url:
        assert [sign_in(url, "203.0.113.1") for _ in range(2)] == [401, 401]
        assert sign_in(url, "203.0.113.99") == 429, "a made-up X-Forwarded-For does not escape the throttle"
