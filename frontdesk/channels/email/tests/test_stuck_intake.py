"""Stored mail whose receiver stopped between storing and processing (LMTP, HTTP, `mail ingest`)
is processed by the minutely sweep: never left unprocessed, never processed twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from frontdesk.channels.email.inbound import receive_raw
from frontdesk.channels.email.intake_tasks import process_stuck_inbound_task
from frontdesk.channels.email.models import InboundEmail, InboundStatus, Mailbox
from frontdesk.channels.email.tests.test_pipeline_common import eml
from frontdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_mail_stored_but_never_processed_is_taken_by_the_sweep(mailbox: Mailbox) -> None:
    stuck = receive_raw(mailbox=mailbox, raw=eml("new_ticket.eml"), source="lmtp")  # then the receiver died
    InboundEmail.objects.filter(pk=stuck.pk).update(received_at=timezone.now() - timedelta(minutes=5))
    fresh = receive_raw(mailbox=mailbox, raw=eml("inline_image.eml"), source="lmtp")  # its receiver is at work
    assert process_stuck_inbound_task.call_local() == 1
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == InboundStatus.PROCESSED and stuck.ticket_id is not None
    assert fresh.status == InboundStatus.RECEIVED  # left to the receiver that is processing it
    assert process_stuck_inbound_task.call_local() == 0  # nothing twice
    assert Ticket.objects.count() == 1
