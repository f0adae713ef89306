"""IDLE must hear a notice that arrived in the same packet as the server's "+ idling".

Dovecot sends `* n EXISTS` right after "+ idling" when mail arrived between the last command and
IDLE; both lines then reach the client in one read, the socket has nothing more to say, and a
watcher waiting on the socket would leave the mail for the server's next keep-alive, minutes
later. A scripted server sends exactly that packet, every time."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import imapclient
import pytest

from frontdesk.channels.email.imap import _idle_wait


def _serve(listener: socket.socket, notice: bytes) -> None:
    conn, _ = listener.accept()
    idle_tag = ""
    with conn, conn.makefile("rb") as lines:
        conn.sendall(b"* OK [CAPABILITY IMAP4rev1 IDLE] scripted server ready\r\n")
        for line in lines:
            tag, _, command = line.decode().strip().partition(" ")
            if tag == "DONE":
                conn.sendall(idle_tag.encode() + b" OK Idle completed\r\n")
            elif command.upper().startswith("CAPABILITY"):
                conn.sendall(b"* CAPABILITY IMAP4rev1 IDLE\r\n" + tag.encode() + b" OK done\r\n")
            elif command.upper().startswith("IDLE"):
                idle_tag = tag
                conn.sendall(b"+ idling\r\n" + notice)  # one packet
            elif command.upper().startswith("LOGOUT"):
                conn.sendall(b"* BYE\r\n" + tag.encode() + b" OK bye\r\n")
                return


@pytest.fixture
def scripted() -> Iterator[callable]:  # type: ignore[valid-type]
    threads: list[threading.Thread] = []
    listeners: list[socket.socket] = []

    def start(notice: bytes) -> imapclient.IMAPClient:
        listener = socket.create_server(("127.0.0.1", 0))
        listeners.append(listener)
        thread = threading.Thread(target=_serve, args=(listener, notice), daemon=True)
        thread.start()
        threads.append(thread)
        return imapclient.IMAPClient("127.0.0.1", port=listener.getsockname()[1], ssl=False, timeout=10)

    yield start
    for listener in listeners:
        listener.close()
    for thread in threads:
        thread.join(10)


def test_a_notice_sent_with_the_idle_answer_wakes_the_watcher(scripted) -> None:  # type: ignore[no-untyped-def]
    client = scripted(b"* 2 EXISTS\r\n")
    # the server says nothing more after this packet: only the buffered notice can wake it
    assert _idle_wait(client, threading.Event(), seconds=3) is True
    client.logout()


def test_a_quiet_server_lets_the_wait_end_without_news(scripted) -> None:  # type: ignore[no-untyped-def]
    client = scripted(b"")
    assert _idle_wait(client, threading.Event(), seconds=1.5) is False
    client.logout()
