"""POST /api/v1/tickets with the requester by identity (``requester: {email, name, phone}``, as
integrators do with Zendesk): found or created in the ticket's transaction, never a duplicate."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import close_old_connections, connection

from frontdesk.customers.models import Contact, Identity
from frontdesk.testing import factories as f
from frontdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _post(api: Any, **body: Any) -> Any:
    return api.post("/api/v1/tickets", {"subject": "Order 1234", "body": "Where is it?", **body})


def test_a_new_email_creates_the_customer_with_the_ticket(api_for: Any, agent: Any) -> None:
    r = _post(api_for(agent), requester={"email": " Dana@Customer.test ", "name": "Dana Diaz"})
    assert r.status_code == 201, r.content
    contact = Contact.objects.get(primary_email="dana@customer.test")
    assert contact.name == "Dana Diaz"
    assert r.json()["requester"]["id"] == contact.pk
    assert Ticket.objects.get(pk=r.json()["id"]).requester_id == contact.pk


def test_a_known_email_or_phone_finds_the_customer_and_adds_what_is_new(api_for: Any, agent: Any) -> None:
    known = f.ContactFactory(primary_email="eve@customer.test", name="Eve")
    api = api_for(agent)
    first = _post(api, requester={"email": "EVE@customer.test", "name": "Somebody else"})
    assert first.status_code == 201 and first.json()["requester"]["id"] == known.pk
    known.refresh_from_db()
    assert known.name == "Eve", "a found customer keeps their name"
    second = _post(api, requester={"email": "eve@customer.test", "phone": "+44 1632 960111"})
    assert second.json()["requester"]["id"] == known.pk
    assert Identity.objects.filter(contact=known, kind="phone", value="+441632960111").exists()
    third = _post(api, requester={"phone": "0044 1632 960111"})
    assert third.json()["requester"]["id"] == known.pk
    assert Contact.objects.count() == 1


def test_bad_requesters_are_refused_by_field_and_leave_nothing_behind(api_for: Any, agent: Any) -> None:
    api = api_for(agent)
    contact = f.ContactFactory()

    both = _post(api, requester_id=contact.pk, requester={"email": "x@customer.test"})
    assert both.status_code == 422 and both.json()["error"]["fields"] == {"requester": "not with requester_id"}
    bad = _post(api, requester={"email": "not-an-address", "phone": "12"})
    assert bad.status_code == 422
    assert set(bad.json()["error"]["fields"]) == {"requester.email", "requester.phone"}
    empty = _post(api, requester={"name": "Nobody"})
    assert empty.status_code == 422 and "requester.email" in empty.json()["error"]["fields"]
    unknown = _post(api, requester={"email": "y@customer.test", "twitter": "@y"})
    assert unknown.status_code == 422
    refused = _post(api, requester={"email": "zoe@customer.test"}, priority="astronomical")
    assert refused.status_code == 422
    assert not Contact.objects.filter(primary_email="zoe@customer.test").exists(), "no customer without the ticket"


def test_only_full_agents_name_a_requester_by_identity(api_for: Any, light_agent: Any, customer_user: Any) -> None:
    for user in (light_agent, customer_user):
        r = _post(api_for(user), requester={"email": "who@customer.test"})
        assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied", r.content
    assert not Contact.objects.filter(primary_email="who@customer.test").exists()


@pytest.mark.django_db(transaction=True)
def test_two_integrations_posting_for_the_same_new_customer_at_once_make_one(api_for: Any, agent: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: the race needs PostgreSQL")
    barrier = threading.Barrier(2)
    answers: list[Any] = []

    def post() -> None:
        try:
            barrier.wait(timeout=30)
            answers.append(_post(api_for(agent), requester={"email": "race-api@customer.test", "name": "Race"}))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert [a.status_code for a in answers] == [201, 201], [a.content for a in answers]
    assert len({a.json()["requester"]["id"] for a in answers}) == 1
    assert Contact.objects.filter(primary_email="race-api@customer.test").count() == 1
