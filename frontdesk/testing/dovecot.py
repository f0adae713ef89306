"""A private Dovecot IMAP server for tests, on a loopback port of its own, under a temp dir.

`dovecot_server()` skips the test when Dovecot is not installed (fails under CI, where
`scripts/test.sh` installs it). The server runs as the system user `mail`; mail uid 0 is refused.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
DOVEADM = shutil.which("doveadm") or "/usr/bin/doveadm"
USER = "support"
PASSWORD = "secret-pass"


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _unavailable(reason: str) -> None:
    if _ci():
        pytest.fail(f"CI: Dovecot is required ({reason})")
    pytest.skip(f"Dovecot not usable: {reason}; install dovecot-imapd (scripts/test.sh does)")


CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 8
mail_uid = mail
mail_gid = mail
default_login_user = mail
default_internal_user = mail
default_internal_group = mail
mail_location = maildir:~/Maildir
# IDLE learns of new mail through inotify and, where inotify is unavailable (its per-user limit is
# easily spent on a busy shared machine), by looking every mailbox_idle_check_interval (30 s by
# default): a second keeps the IDLE tests about the client, not about the host's inotify budget.
mailbox_idle_check_interval = 1 secs
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid=mail gid=mail home={root}/home/%u
}}
protocol imap {{
  mail_max_userip_connections = 50
}}
"""


@dataclass
class Dovecot:
    root: Path
    port: int
    user: str = USER
    password: str = PASSWORD
    host: str = "127.0.0.1"

    @property
    def conf(self) -> Path:
        return self.root / "dovecot.conf"

    def start(self) -> None:
        err = self.root / "start.err"
        with open(err, "wb") as out:
            # the daemon's children inherit stdout/stderr: never a pipe, or run() waits forever
            code = subprocess.call([DOVECOT, "-c", str(self.conf)], stdout=subprocess.DEVNULL, stderr=out, timeout=20)
        if code != 0:
            log = (self.root / "dovecot.log").read_text() if (self.root / "dovecot.log").exists() else ""
            raise RuntimeError(f"dovecot did not start: {err.read_text().strip()} {log[-2000:]}")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dovecot did not answer on its port")

    def stop(self) -> None:
        """Stop the server (as `doveadm stop` would, without its wait): TERM to its master."""
        pid_file = self.root / "run" / "master.pid"
        try:
            os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
        except (OSError, ValueError):
            subprocess.call(
                [DOVEADM, "-c", str(self.conf), "stop"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=20,
            )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection((self.host, self.port), timeout=0.5).close()
                time.sleep(0.05)
            except OSError:
                return

    def client(self):  # type: ignore[no-untyped-def]
        import imapclient

        c = imapclient.IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        c.login(self.user, self.password)
        return c

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        with self.client() as c:
            c.append(folder, raw)

    def append_many(self, raws: list[bytes], folder: str = "INBOX") -> None:
        with self.client() as c:
            for raw in raws:
                c.append(folder, raw)


@contextmanager
def dovecot_server() -> Iterator[Dovecot]:
    """A running private Dovecot with one user (USER/PASSWORD); stopped and removed afterwards."""
    if not os.path.exists(DOVECOT) or not os.path.exists("/usr/lib/dovecot/imap"):
        _unavailable("dovecot or dovecot-imapd is not installed")
    if os.geteuid() != 0:
        _unavailable("the private server needs root to run mail as the user 'mail'")
    root = Path(tempfile.mkdtemp(prefix="fd-dovecot-"))
    os.chmod(root, 0o755)
    server = Dovecot(root=root, port=free_port())
    for sub in ("run", "state", f"home/{USER}"):
        (root / sub).mkdir(parents=True)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    server.conf.write_text(CONFIG.format(root=root, port=server.port))
    subprocess.run(["chown", "-R", "mail:mail", str(root / "home"), str(root / "state")], check=False)
    try:
        server.start()
    except RuntimeError as exc:
        shutil.rmtree(root, ignore_errors=True)
        _unavailable(str(exc))
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
