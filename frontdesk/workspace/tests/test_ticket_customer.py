"""The ticket page's requester: a card in the page itself, the rest of the 360 view as a fragment
the page loads after it (identities, open and recent tickets, purchases, interactions elsewhere)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from frontdesk.core.actor import SYSTEM
from frontdesk.customers.services.purchases import purchase_record
from frontdesk.testing import factories as f
from frontdesk.testing.fixtures import client_for
from frontdesk.tickets.services import message_add, ticket_create, ticket_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():  # type: ignore[no-untyped-def]
    org = f.OrganisationFactory(name="Granite Bakery")
    contact = f.ContactFactory(name="Ava Byrne", primary_email="ava@granite.example", organisation=org)
    return contact


def opened(contact, subject: str, status: str = "new"):  # type: ignore[no-untyped-def]
    t = ticket_create(actor=SYSTEM, requester=contact, subject=subject, body=f"About {subject}.")
    if status != "new":
        ticket_update(actor=SYSTEM, ticket=t, status=status)
    return t


def test_the_page_shows_the_requester_card_and_asks_for_the_rest(agent, customer) -> None:  # type: ignore[no-untyped-def]
    this = opened(customer, "Invoice wrong")
    opened(customer, "Scanner broken", "open")
    opened(customer, "Old question", "solved")
    purchase_record(actor=SYSTEM, contact=customer, product="Scanner", amount="149.00", currency="EUR",
                    purchased_at=timezone.now())
    html = client_for(agent).get(f"/tickets/{this.pk}/").content.decode()
    card = html[html.index('class="sidebar-panel customer-card"'):]
    card = card[: card.index("</section>")]
    assert "Ava Byrne" in card and "ava@granite.example" in card and "Granite Bakery" in card
    assert "€149.00" in card  # one currency: shown with it
    assert f'hx-get="/tickets/{this.pk}/customer/"' in html


def test_the_history_fragment_holds_the_360_view(agent, customer) -> None:  # type: ignore[no-untyped-def]
    this = opened(customer, "Invoice wrong")
    other = opened(customer, "Scanner broken", "open")
    opened(customer, "Old question", "solved")
    message_add(actor=SYSTEM, ticket=other, body="The scanner beeps twice and stops.", author_contact=customer)
    response = client_for(agent).get(f"/tickets/{this.pk}/customer/")
    fragment = response.content.decode()
    assert response.status_code == 200 and "<html" not in fragment
    assert "About Ava Byrne" in fragment and "ava@granite.example" in fragment
    opened_list = fragment[fragment.index("Open tickets"):fragment.index("Recent")]
    assert f"#{other.pk} Scanner broken" in opened_list and f"#{this.pk} Invoice wrong" in opened_list
    assert "The scanner beeps twice" in fragment  # what happened on their other tickets


def test_mixed_currencies_are_not_summed_under_one(agent, customer) -> None:  # type: ignore[no-untyped-def]
    this = opened(customer, "Refund")
    for currency in ("EUR", "USD"):
        purchase_record(actor=SYSTEM, contact=customer, product="Kit", amount="10.00", currency=currency,
                        purchased_at=timezone.now())
    card = client_for(agent).get(f"/tickets/{this.pk}/").content.decode()
    card = card[card.index('class="sidebar-panel customer-card"'):]
    assert "€" not in card[: card.index("</section>")]


def test_the_history_is_for_those_who_see_the_ticket(agent, customer_user, customer) -> None:  # type: ignore[no-untyped-def]
    hidden_team = f.TeamFactory(restricted=True)
    secret = ticket_create(actor=SYSTEM, requester=customer, subject="Secret", body="x", team=hidden_team)
    assert client_for(agent).get(f"/tickets/{secret.pk}/customer/").status_code == 404
    assert client_for(agent).get("/tickets/999999999/customer/").status_code == 404
    # customers may not use the agent workspace at all: the same 403 page for every ticket id,
    # before any lookup (workspace.access.agent_required), so it reveals nothing about the ticket
    refused = client_for(customer_user).get(f"/tickets/{secret.pk}/customer/")
    assert refused.status_code == 403
    assert "This area is for support agents" in refused.content.decode() and "Secret" not in refused.content.decode()
