"""A bounded client load for fault tests: a few threads POSTing tickets, every answer recorded with its times.

Bounded in count and in time, so a server that stops answering cannot hold a test; clients pause a
little between requests (longer after a failure, as real clients back off).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx


def auth_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Answer:
    started: float  # time.monotonic()
    finished: float
    status: int | None  # None: no HTTP answer (connection refused, timeout)
    error_code: str | None = None
    retry_after: str | None = None
    ticket_id: int | None = None
    detail: str = ""


class LoadLoop:
    """``threads`` clients POSTing tickets back to back until stopped, ``max_requests`` or ``max_seconds``."""

    def __init__(self, url: str, token: str, requester_id: int, *, threads: int = 3, max_requests: int = 3000,
                 max_seconds: float = 45, timeout: float = 20, pause: float = 0.02) -> None:
        self.url, self.token, self.requester_id = url, token, requester_id
        self.threads, self.timeout, self.pause = threads, timeout, pause
        self.max_requests, self.deadline = max_requests, time.monotonic() + max_seconds
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._workers = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(threads)]

    def __enter__(self) -> LoadLoop:
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=self.timeout + 5)

    def snapshot(self) -> list[Answer]:
        with self._lock:
            return list(self.answers)

    def _run(self, n: int) -> None:
        with httpx.Client(base_url=self.url, headers=auth_headers(self.token), timeout=self.timeout) as client:
            i = 0
            while not self._stop.is_set() and time.monotonic() < self.deadline:
                with self._lock:
                    if len(self.answers) >= self.max_requests:
                        return
                i += 1
                answer = self._post(client, {"subject": f"outage {n}-{i}", "body": "Load during a restart.",
                                             "requester_id": self.requester_id})
                with self._lock:
                    self.answers.append(answer)
                # a client pausing between requests (longer after a failure, as real ones back off)
                self._stop.wait(self.pause * (5 if answer.status is None or answer.status >= 500 else 1))

    @staticmethod
    def _post(client: httpx.Client, body: dict[str, Any]) -> Answer:
        started = time.monotonic()
        try:
            response = client.post("/api/v1/tickets", json=body)
        except httpx.HTTPError as exc:
            return Answer(started, time.monotonic(), None, detail=f"{type(exc).__name__}: {exc}")
        answer = Answer(started, time.monotonic(), response.status_code,
                        retry_after=response.headers.get("Retry-After"))
        try:
            data = response.json()
        except ValueError:
            answer.detail = response.text[:300]
            return answer
        if response.status_code == 201:
            answer.ticket_id = int(data["id"])
        elif isinstance(data, dict) and isinstance(data.get("error"), dict):
            answer.error_code = data["error"].get("code")
            answer.detail = str(data["error"].get("message", ""))[:300]
        else:
            answer.detail = response.text[:300]
        return answer
