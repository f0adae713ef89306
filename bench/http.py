"""A real server process and a keep-alive HTTP client that times requests."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`frontdesk web` on a free loopback port, started with ``env`` and stopped at exit."""

    def __init__(self, env: dict[str, str], workers: int = 1):
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        cmd = [
            sys.executable,
            "-m",
            "frontdesk.cli",
            "web",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]
        self.proc = subprocess.Popen(cmd, env=self.env, cwd=REPO, stdout=sys.stderr, stderr=sys.stderr)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with status {self.proc.returncode}")
            try:
                httpx.get(f"{self.url}/healthz", timeout=2)
                return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("the server did not answer within 60 s")

    def __exit__(self, *exc: Any) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    k = (len(ordered) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class Timer:
    """Times GET requests over one keep-alive connection."""

    def __init__(self, base_url: str, token: str | None = None, session: str | None = None):
        self.client = httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}"} if token else {},
            cookies={"sessionid": session} if session else None,
            timeout=120,
            limits=httpx.Limits(max_keepalive_connections=1, max_connections=1),
        )
        self.server_ms: list[float] = []  # Server-Timing of each timed request

    def close(self) -> None:
        self.client.close()

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        response = self.client.get(path, params=params)
        if response.status_code != 200:
            raise RuntimeError(
                f"GET {path} {params or ''} answered {response.status_code}: {response.text[:300]}"
            )
        return response.json()

    def time(
        self, requests: int, make: Callable[[int], tuple[str, dict[str, Any] | None]], warmup: int = 2
    ) -> list[float]:
        """Milliseconds of ``requests`` GETs; ``make(i)`` gives the path and params of the i-th."""
        for i in range(warmup):
            path, params = make(i)
            warm = self.client.get(path, params=params)
            if warm.status_code != 200:
                raise RuntimeError(f"GET {path} answered {warm.status_code}: {warm.text[:300]}")
        samples = []
        for i in range(requests):
            path, params = make(i)
            start = time.perf_counter()
            response = self.client.get(path, params=params)
            response.read()
            elapsed = (time.perf_counter() - start) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"GET {path} answered {response.status_code}: {response.text[:300]}")
            samples.append(elapsed)
            timing = response.headers.get("server-timing", "")
            if "dur=" in timing:
                self.server_ms.append(float(timing.split("dur=", 1)[1].split(",")[0]))
        return samples


def summary(prefix: str, samples: Sequence[float]) -> dict[str, float]:
    return {
        f"{prefix}_p50_ms": round(statistics.median(samples), 2) if samples else 0.0,
        f"{prefix}_p95_ms": round(percentile(samples, 95), 2),
    }


def server_env(base: dict[str, str]) -> dict[str, str]:
    env = dict(base)
    env.setdefault("FRONTDESK_LOG_LEVEL", "WARNING")
    env["FRONTDESK_API_RATE_LIMIT_PER_MINUTE"] = "0"  # no limit: the benchmark is one busy caller
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env
