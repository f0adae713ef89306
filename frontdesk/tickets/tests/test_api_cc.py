"""Who may copy whom on a ticket. Customers copy people by email address only (at most 20, as an
email's Cc does), with the same answer whether an address was known or not: contact ids are
neither accepted from them (address harvesting, a spam relay) nor probed through them (an
existence oracle). Other properties that name objects by id are agents' only."""

from __future__ import annotations

from typing import Any

import pytest

from frontdesk.brands.models import Brand
from frontdesk.customers.models import Contact, Identity
from frontdesk.testing import factories as f
from frontdesk.testing.factories import contact_of, team_with
from frontdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

OPEN = {"subject": "Help", "body": "Please help."}


def _ccs_of(ticket_id: int) -> set[str]:
    return {c.primary_email for c in Ticket.objects.get(pk=ticket_id).ccs.all()}


def test_customers_cannot_copy_contacts_by_id_and_learn_nothing_from_trying(api_for: Any, customer_user: Any) -> None:
    others = [f.ContactFactory() for _ in range(3)]
    api = api_for(customer_user)
    answers = []
    for ids in ([c.pk for c in others], [others[-1].pk + 1000], [2**40]):
        r = api.post("/api/v1/tickets", {**OPEN, "cc_ids": ids})
        assert r.status_code == 422, r.content
        answers.append(r.json())
    assert answers[0] == answers[1] == answers[2]  # known and unknown ids: the same answer
    error = answers[0]["error"]
    assert "cc_emails" in error["message"] and error["fields"] == {"cc_ids": "use cc_emails"}
    assert not Ticket.objects.exists()


def test_customers_copy_people_by_address_known_or_not_with_the_same_answer(api_for: Any, customer_user: Any) -> None:
    known = f.ContactFactory(primary_email="known@example.test")
    assert Identity.objects.filter(contact=known, value="known@example.test").exists()
    api = api_for(customer_user)
    first = api.post("/api/v1/tickets", {**OPEN, "cc_emails": ["Known@Example.test"]})
    second = api.post("/api/v1/tickets", {**OPEN, "cc_emails": ["new.person@example.test"]})
    assert first.status_code == second.status_code == 201, (first.content, second.content)
    a, b = first.json(), second.json()
    volatile = {"id", "number", "created_at", "updated_at", "last_message_at"}
    assert {k: v for k, v in a.items() if k not in volatile} == {k: v for k, v in b.items() if k not in volatile}
    assert a["cc_ids"] == b["cc_ids"] == []  # ids are not shown to customers (an older id tells)
    assert _ccs_of(a["id"]) == {"known@example.test"}
    assert _ccs_of(b["id"]) == {"new.person@example.test"}
    assert Contact.objects.filter(primary_email="new.person@example.test").count() == 1
    assert api.get(f"/api/v1/tickets/{a['id']}").json()["cc_ids"] == []


def test_copying_oneself_or_the_same_address_twice_adds_one_cc_or_none(api_for: Any, customer_user: Any) -> None:
    me = contact_of(customer_user)
    r = api_for(customer_user).post(
        "/api/v1/tickets", {**OPEN, "cc_emails": [me.primary_email, "x@example.test", "X@example.test"]}
    )
    assert r.status_code == 201, r.content
    assert _ccs_of(r.json()["id"]) == {"x@example.test"}


@pytest.mark.parametrize(
    ("emails", "field"),
    [
        ([f"p{i}@example.test" for i in range(21)], "cc_emails"),
        (["not an address"], "cc_emails.0"),
        (["ok@example.test", "a@b@c"], "cc_emails.1"),
    ],
)
def test_too_many_or_malformed_addresses_are_refused(
    api_for: Any, customer_user: Any, emails: list[str], field: str
) -> None:
    r = api_for(customer_user).post("/api/v1/tickets", {**OPEN, "cc_emails": emails})
    assert r.status_code == 422, r.content
    assert any(k == field or k.startswith(field) for k in r.json()["error"]["fields"]), r.json()
    assert not Ticket.objects.exists()


def test_agents_copy_by_id_and_by_address(api_for: Any, agent: Any) -> None:
    requester, cc = f.ContactFactory(), f.ContactFactory(primary_email="cc@example.test")
    r = api_for(agent).post(
        "/api/v1/tickets",
        {**OPEN, "requester_id": requester.pk, "cc_ids": [cc.pk], "cc_emails": ["other@example.test"]},
    )
    assert r.status_code == 201, r.content
    assert _ccs_of(r.json()["id"]) == {"cc@example.test", "other@example.test"}
    assert len(r.json()["cc_ids"]) == 2  # agents see them


@pytest.mark.parametrize("field", ["assignee_id", "team_id", "follower_ids", "brand_id"])
def test_customers_set_no_property_that_names_an_object_by_id(
    api_for: Any, customer_user: Any, agent: Any, field: str
) -> None:
    team = team_with(agent)
    brand = Brand.objects.create(name="Other brand", slug="other-brand")
    real = {"assignee_id": agent.pk, "team_id": team.pk, "follower_ids": [agent.pk], "brand_id": brand.pk}
    unknown = {"assignee_id": 2**40, "team_id": 2**40, "follower_ids": [2**40], "brand_id": 2**40}
    api = api_for(customer_user)
    answers = []
    for value in (real[field], unknown[field]):
        r = api.post("/api/v1/tickets", {**OPEN, field: value})
        assert r.status_code == 403, (field, r.content)
        answers.append(r.json())
    assert answers[0] == answers[1]
    assert not Ticket.objects.exists()


def test_customers_open_tickets_for_themselves_whoever_the_requester_id_names(
    api_for: Any, customer_user: Any
) -> None:
    api = api_for(customer_user)
    other = f.ContactFactory()
    answers = [api.post("/api/v1/tickets", {**OPEN, "requester_id": pk}) for pk in (other.pk, 2**40)]
    assert [r.status_code for r in answers] == [403, 403]
    assert answers[0].json() == answers[1].json()


def test_customers_change_no_ccs_on_their_ticket(api_for: Any, customer_user: Any) -> None:
    api = api_for(customer_user)
    ticket = api.post("/api/v1/tickets", OPEN).json()
    other = f.ContactFactory()
    for ids in ([other.pk], [2**40]):
        assert api.patch(f"/api/v1/tickets/{ticket['id']}", {"cc_ids": ids}).status_code == 403
    assert _ccs_of(ticket["id"]) == set()
