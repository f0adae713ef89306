"""The demo organisation: what `frontdesk demo` loads, and that loading it again adds nothing."""

from __future__ import annotations

import pytest

from frontdesk.accounts.models import Team, User
from frontdesk.core.models import OutboxEvent
from frontdesk.customers.models import Contact, Organisation, Purchase
from frontdesk.ops.demo import load_demo
from frontdesk.ops.demo_accounts import DEMO_PASSWORD, DEMO_SIGN_INS
from frontdesk.tickets.models import Message, Ticket, TicketAudit

SMALL = {"tickets": 15, "customers": 12, "organisations": 4, "agents": 6, "days": 30}


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "teams": Team.objects.count(),
        "organisations": Organisation.objects.count(),
        "contacts": Contact.objects.count(),
        "purchases": Purchase.objects.count(),
        "tickets": Ticket.objects.count(),
        "messages": Message.objects.count(),
        "events": OutboxEvent.objects.count(),
    }


@pytest.fixture
def demo(db, settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    summary = load_demo(**SMALL)
    return summary


def test_demo_loads_the_expected_organisation(demo):  # type: ignore[no-untyped-def]
    counts = _counts()
    assert counts["tickets"] == 15
    assert counts["organisations"] == 4
    assert counts["contacts"] == 12 + 1  # the customers and the demo customer's contact
    assert counts["teams"] == 3
    # 6 agents (the demo agent among them), the admin, the supervisor, the light agent, the customer
    assert counts["users"] == 6 + 4
    assert User.objects.filter(role="agent").count() == 6
    for team in Team.objects.all():
        assert team.members.filter(role="agent").exists()
    assert counts["messages"] > counts["tickets"]  # conversations, not just opening messages
    assert "15 tickets" in demo


def test_demo_sign_ins_work_and_the_customer_has_a_contact(demo):  # type: ignore[no-untyped-def]
    for _label, email, password in DEMO_SIGN_INS:
        user = User.objects.get(email=email)
        assert user.check_password(password)
        assert password == DEMO_PASSWORD
    customer = User.objects.get(email="customer@demo.frontdesk.local")
    assert customer.role == "customer"
    assert Contact.objects.get(user=customer).primary_email == customer.email


def test_demo_history_is_in_the_past_with_statuses_for_its_age(demo):  # type: ignore[no-untyped-def]
    for ticket in Ticket.objects.all():
        assert ticket.updated_at >= ticket.created_at
        messages = list(ticket.messages.all())
        assert messages[0].created_at == ticket.created_at
        assert ticket.message_count == len(messages)
        if ticket.status_category in ("solved", "closed"):
            assert ticket.solved_at is not None and ticket.solved_at <= ticket.updated_at
            assert len(messages) > 1  # someone answered before it was solved
        assert ticket.custom_fields["reference"].startswith("DEMO-")
    # written through the services: events and the audit trail exist for every ticket
    assert TicketAudit.objects.filter(action="created").count() == 15
    assert OutboxEvent.objects.filter(name="ticket.created").count() == 15


def test_loading_twice_creates_nothing_new(demo):  # type: ignore[no-untyped-def]
    before = _counts()
    again = load_demo(**SMALL)
    assert again.startswith("nothing new")
    assert _counts() == before


def test_a_bigger_run_keeps_the_first_run_and_adds_the_rest(demo):  # type: ignore[no-untyped-def]
    first_refs = set(Ticket.objects.values_list("custom_fields__reference", flat=True))
    load_demo(**{**SMALL, "tickets": 20})
    refs = list(Ticket.objects.values_list("custom_fields__reference", flat=True))
    assert len(refs) == len(set(refs)) == 20
    assert first_refs <= set(refs)
