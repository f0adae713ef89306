"""Intakes side by side (two child processes, two nodes): a reply waits for the message it
answers while another batch is processing that message, so it joins the ticket that message opens
instead of opening one of its own (ADR 0015)."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connection, connections

from frontdesk.channels.email import intake_process
from frontdesk.channels.email.inbound import process_batch
from frontdesk.channels.email.models import InboundEmail, InboundStatus, Mailbox
from frontdesk.channels.email.tests.test_imap_support import mail
from frontdesk.channels.email.tests.test_intake_batches import _stored, reply
from frontdesk.tickets.models import Ticket


def _status(pk: int) -> str:
    return str(InboundEmail.objects.get(pk=pk).status)


@pytest.mark.django_db
def test_a_reply_waits_while_the_message_it_answers_is_still_being_processed_then_joins_its_ticket(
    mailbox: Mailbox,
) -> None:
    parent, answer = _stored(mailbox, mail(1), reply(2, 1))  # stored in this order, given to two intakes
    deferred: dict[int, list[int]] = {}
    done, left = process_batch([answer], deferred=deferred)  # the other intake has not committed 1 yet
    assert (done, left, deferred) == ([], [], {answer: [parent]})
    assert _status(answer) == InboundStatus.RECEIVED and Ticket.objects.count() == 0
    assert [row.pk for row in process_batch([parent])[0]] == [parent]
    again: dict[int, list[int]] = {}
    assert [row.pk for row in process_batch([answer], deferred=again)[0]] == [answer] and again == {}
    ticket = Ticket.objects.get()
    assert sorted(ticket.messages.values_list("external_id", flat=True)) == [
        "1.intake@customers.test", "2.intake@customers.test"
    ]


@pytest.mark.django_db
def test_only_replies_to_earlier_messages_waiting_elsewhere_are_deferred(mailbox: Mailbox) -> None:
    """A message answering one stored after it (a reply that overtook it) does not wait: two
    messages never wait for each other. One answering a message in its own batch is processed
    after it there; the sweep (no ``deferred``) defers nothing."""
    late_answer, late_parent = _stored(mailbox, reply(11, 10), mail(10))
    parent, answer, other = _stored(mailbox, mail(20), reply(21, 20), mail(22))
    deferred: dict[int, list[int]] = {}
    done, _ = process_batch([late_answer, parent, answer, other], deferred=deferred)
    assert [row.pk for row in done] == [late_answer, parent, answer, other] and deferred == {}
    assert Ticket.objects.count() == 3, "10's reply opened its own ticket; 21 joined 20's"
    waiting_parent, waiting_answer = _stored(mailbox, mail(30), reply(31, 30))
    assert [row.pk for row in process_batch([waiting_answer])[0]] == [waiting_answer]  # the sweep's way
    assert _status(waiting_parent) == InboundStatus.RECEIVED and _status(late_parent) == InboundStatus.RECEIVED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # the child runs on its own connection, in a thread here
def test_a_child_holds_a_waiting_reply_until_its_message_commits_and_answers_for_it_then(
    mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``serve``, the child's loop, on real pipes: a reply whose message is still received waits
    (not answered for), is offered again, joins the ticket once that message is processed, and only
    then is answered for. One whose message never comes is given up to the sweep after
    ``DEFER_SECONDS`` (answered for, still stored as received)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database locks whole tables between threads")
    monkeypatch.setattr(intake_process, "DEFER_SECONDS", 1.0)
    parent, answer, orphan_parent, orphan = _stored(mailbox, mail(1), reply(2, 1), mail(3), reply(4, 3))
    ids_r, ids_w = os.pipe()
    out_r, out_w = os.pipe()
    with os.fdopen(ids_r, "rb", buffering=0) as stdin, os.fdopen(out_w, "wb") as stdout:

        def run() -> None:
            try:
                intake_process.serve(stdin, stdout)
            finally:
                connections.close_all()
                stdout.close()

        child = threading.Thread(target=run)
        child.start()
        answers = os.fdopen(out_r, "rb")
        try:
            os.write(ids_w, b"%d\n" % answer)
            assert _status(answer) == InboundStatus.RECEIVED
            assert [row.pk for row in process_batch([parent])[0]] == [parent]  # the other child commits 1
            assert answers.readline() == b"1\n"  # answered for only once processed
            assert _status(answer) == InboundStatus.PROCESSED
            assert Ticket.objects.get().messages.count() == 2
            os.write(ids_w, b"%d\n" % orphan)  # 3 is never processed (its child died)
            assert answers.readline() == b"1\n"  # given up after DEFER_SECONDS
            assert _status(orphan) == InboundStatus.RECEIVED and _status(orphan_parent) == InboundStatus.RECEIVED
        finally:
            os.close(ids_w)
            child.join(30)
            answers.close()
    assert not child.is_alive(), "the child ends when its input closes"
