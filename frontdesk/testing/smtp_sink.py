"""An SMTP sink on loopback for tests and benchmarks: aiosmtpd on a free port, collecting what
it receives; it can be taken down and brought back."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from frontdesk.testing.private_servers import free_port


class _Collect:
    def __init__(self, sink: SmtpSink):
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.sink.envelopes.append(envelope)
        return "250 OK"


class SmtpSink:
    """aiosmtpd on a free loopback port, collecting what it receives."""

    def __init__(self) -> None:
        self.port = free_port()
        self.envelopes: list[Any] = []
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(_Collect(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(e.original_content, policy=email.policy.default)  # type: ignore[misc]
            for e in self.envelopes
        ]

    def to(self, address: str) -> list[EmailMessage]:
        """The messages received for ``address``, in arrival order."""
        return [m for m in self.messages if address in str(m["To"])]

    def message_ids(self, address: str) -> list[str]:
        return [str(m["Message-ID"]) for m in self.to(address)]

