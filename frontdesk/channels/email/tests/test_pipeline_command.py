"""``frontdesk mail``: ingest, quarantine, reprocess."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from frontdesk.channels.email.models import InboundEmail, InboundStatus, Mailbox
from frontdesk.channels.email.tests.test_pipeline_common import FIXTURES, eml, raise_limit
from frontdesk.ops.management.commands.mail import _receiver
from frontdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("mail", *args, stdout=out)
    return out.getvalue()


def test_ingest_a_file_into_a_mailbox(mailbox: Mailbox) -> None:
    out = run("ingest", str(FIXTURES / "new_ticket.eml"), "--mailbox", "Support@Frontdesk.test")
    row = InboundEmail.objects.get()
    assert out.strip() == f"inbound {row.pk}: processed ticket {row.ticket_id}"
    assert row.mailbox == mailbox and row.source == "cli"


def test_ingest_from_stdin(mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(eml("forwarded.eml"))))
    assert "processed" in run("ingest", "-")
    assert Ticket.objects.get().subject == "Fwd: Invoice question"


def test_ingest_errors_are_clear(mailbox: Mailbox, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No mailbox with address"):
        run("ingest", str(FIXTURES / "new_ticket.eml"), "--mailbox", "nobody@x.test")
    with pytest.raises(CommandError, match="Cannot read"):
        run("ingest", str(tmp_path / "missing.eml"))


def test_quarantine_listed_then_reprocessed(mailbox: Mailbox) -> None:
    mailbox.max_message_bytes = 50
    mailbox.save()
    out = run("ingest", str(FIXTURES / "new_ticket.eml"), "--mailbox", mailbox.address)  # stored: exit 0
    row = InboundEmail.objects.get()
    assert out.startswith(f"inbound {row.pk}: quarantined (too large")
    listed = run("quarantine")
    assert f"{row.pk}\t" in listed and "carla@customer.test" in listed and "too large" in listed
    raise_limit(mailbox, 1_000_000)
    assert run("reprocess", str(row.pk)).strip() == f"inbound {row.pk}: processed"
    assert InboundEmail.objects.get().status == InboundStatus.PROCESSED
    assert run("quarantine") == ""
    with pytest.raises(CommandError, match="No inbound message"):
        run("reprocess", str(2**64))


def test_missing_receiver_module_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="receiver is not available"):
        _receiver("no_such_receiver")
