"""``frontdesk mail``: ingest a message, list and reprocess the quarantine, run the receivers.

frontdesk mail ingest FILE.eml|- [--mailbox ADDRESS]   (exit 0 stored, 75 not stored: retry, 65 empty)
frontdesk mail import MAILDIR|MBOX|FOLDER [--mailbox ADDRESS]   (a mailbox's history; run again to resume)
frontdesk mail quarantine [--limit N]
frontdesk mail reprocess ID [ID …]
frontdesk mail listen [--host H] [--port P] [--smtp]
frontdesk mail poll [--watch MAILBOX_ID]
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from frontdesk.channels.email.models import InboundEmail, InboundStatus, Mailbox
from frontdesk.core.ids import MAX_ID

# sysexits.h: what a pipe transport (Postfix pipe(8), Exim, sendmail) understands
EX_DATAERR = 65  # bad input: the MTA bounces it
EX_NOINPUT = 66
EX_TEMPFAIL = 75  # try again later: the MTA keeps the message queued


def _receiver(module: str) -> Any:
    try:
        return importlib.import_module(f"frontdesk.channels.email.{module}")
    except ImportError as exc:
        raise CommandError(f"The {module} receiver is not available in this installation ({exc}).") from exc


class Command(BaseCommand):
    help = "Email: ingest a raw message, list or reprocess the quarantine, run the LMTP receiver or IMAP polling."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ingest = sub.add_parser("ingest", help="store and process one raw RFC 5322 message (a file or - for stdin)")
        ingest.add_argument("file")
        ingest.add_argument("--mailbox", default="", help="the mailbox address it was sent to")
        imports = sub.add_parser("import", help="import a mailbox's history: a Maildir, an mbox file or a folder "
                                 "of .eml files (each message once: run it again to resume)")
        imports.add_argument("path")
        imports.add_argument("--mailbox", default="", help="the mailbox address the mail was sent to")
        quarantine = sub.add_parser("quarantine", help="list quarantined messages with their reasons")
        quarantine.add_argument("--limit", type=int, default=100)
        reprocess = sub.add_parser("reprocess", help="run quarantined messages through the pipeline again")
        reprocess.add_argument("ids", type=int, nargs="+")
        listen = sub.add_parser("listen", help="receive mail over LMTP (or SMTP) from the local MTA")
        listen.add_argument("--host", default="127.0.0.1")
        listen.add_argument("--port", type=int, default=2525)
        listen.add_argument("--smtp", action="store_true", help="speak SMTP instead of LMTP")
        sub.add_parser("intake", help="process the stored messages whose ids arrive on stdin, one per line "
                                      "(started by a receiver: INTAKE_PROCESSES)")
        poll = sub.add_parser("poll", help="poll every IMAP mailbox once, or --watch one with IDLE")
        poll.add_argument("--watch", type=int, default=None, metavar="MAILBOX_ID")

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, f"_{opts['action']}")(opts)

    def _ingest(self, opts: dict[str, Any]) -> None:
        """Exit status for an MTA's pipe transport (sysexits): 0 once the message is stored, whatever
        processing made of it (the outcome is printed); 75 (EX_TEMPFAIL: the MTA keeps it and tries
        again) when it could not be stored or the mailbox is unknown; 65 (EX_DATAERR) for empty input."""
        from frontdesk.channels.email.inbound import process_inbound, receive_raw

        if opts["file"] == "-":
            raw = sys.stdin.buffer.read()
        else:
            try:
                with open(opts["file"], "rb") as f:
                    raw = f.read()
            except OSError as exc:
                raise CommandError(f"Cannot read {opts['file']}: {exc.strerror}", returncode=EX_NOINPUT) from exc
        if not raw.strip():
            raise CommandError("The message is empty: nothing was stored.", returncode=EX_DATAERR)
        try:
            mailbox = None
            if opts["mailbox"]:
                mailbox = Mailbox.objects.filter(address__iexact=opts["mailbox"].strip()).first()
                if mailbox is None:
                    raise CommandError(f"No mailbox with address {opts['mailbox']}.", returncode=EX_TEMPFAIL)
            stored = receive_raw(mailbox=mailbox, raw=raw, source="cli")
        except (DatabaseError, OSError) as exc:
            raise CommandError(
                f"Could not store the message ({type(exc).__name__}: {exc}); try again later.", returncode=EX_TEMPFAIL
            ) from exc
        try:
            row = process_inbound(stored.pk)
        except Exception as exc:  # noqa: BLE001 - stored: the worker's periodic sweep processes it later
            self.stdout.write(f"inbound {stored.pk}: stored; processing failed and will be retried ({exc})")
            return
        line = f"inbound {row.pk}: {row.status}"
        if row.ticket_id:
            line += f" ticket {row.ticket_id}"
        if row.reason:
            line += f" ({row.reason})"
        self.stdout.write(line)

    def _import(self, opts: dict[str, Any]) -> None:
        """A progress bar on stderr, then what became of the messages on stdout (and as JSON)."""
        import json
        from pathlib import Path

        from tqdm import tqdm

        from frontdesk.channels.email.importing import import_mail, messages_at

        mailbox = None
        if opts["mailbox"]:
            mailbox = Mailbox.objects.filter(address__iexact=opts["mailbox"].strip()).first()
            if mailbox is None:
                raise CommandError(f"No mailbox with address {opts['mailbox']}.")
        path = Path(opts["path"])
        try:
            kind, count, _ = messages_at(path)
        except (OSError, ValueError) as exc:  # not there, unreadable, not a mailbox format
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        with tqdm(total=count, unit="msg", desc=f"{kind} {path.name}", file=sys.stderr) as bar:
            report = import_mail(path=path, mailbox=mailbox, on_message=lambda _outcome: bar.update())
        self.stdout.write(
            f"{report.found} messages: {report.created} new tickets, {report.threaded} added to tickets, "
            f"{report.ignored} ignored, {report.quarantined} quarantined, {report.already} imported before"
            + (f", {report.failed} stored but not processed yet (the worker retries them)" if report.failed else "")
        )
        for reason, n in report.reasons.most_common():
            self.stdout.write(f"  {n} × {reason}")
        self.stdout.write(json.dumps(report.as_dict()))

    def _quarantine(self, opts: dict[str, Any]) -> None:
        rows = InboundEmail.objects.filter(status=InboundStatus.QUARANTINED).select_related("mailbox")
        rows = rows.order_by("-received_at", "-pk")[: max(1, opts["limit"])]
        for row in rows:
            box = row.mailbox.address if row.mailbox else "-"
            when = row.received_at.strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"{row.pk}\t{when}\t{box}\t{row.sender or '-'}\t{row.reason}")

    def _reprocess(self, opts: dict[str, Any]) -> None:
        from frontdesk.channels.email.inbound import reprocess

        for pk in opts["ids"]:
            if not 1 <= pk <= MAX_ID or not InboundEmail.objects.filter(pk=pk).exists():
                raise CommandError(f"No inbound message {pk}.")
            row = reprocess(pk)
            self.stdout.write(f"inbound {row.pk}: {row.status}" + (f" ({row.reason})" if row.reason else ""))

    def _listen(self, opts: dict[str, Any]) -> None:
        lmtp = _receiver("lmtp")
        self.stdout.write(f"Listening on {opts['host']}:{opts['port']} ({'SMTP' if opts['smtp'] else 'LMTP'})")
        lmtp.serve(opts["host"], opts["port"], lmtp=not opts["smtp"])

    def _intake(self, opts: dict[str, Any]) -> None:
        from frontdesk.channels.email.intake_process import serve

        serve()

    def _poll(self, opts: dict[str, Any]) -> None:
        imap = _receiver("imap")
        if opts["watch"] is not None:
            imap.watch(opts["watch"])
        else:
            self.stdout.write(f"{imap.poll_all_once()} messages received")
