"""GET /search over HTTP: hostile input never gives a 500; permissions hold."""

from __future__ import annotations

import pytest

from frontdesk.core.actor import Actor
from frontdesk.customers.services import contact_create
from frontdesk.tickets.services import message_add, ticket_create

pytestmark = pytest.mark.django_db

HOSTILE = [
    '"', "'", '"unterminated', "a\" OR \"b", "NEAR(a b)", "a AND", "OR", "NOT x", "(((", ")", "*", "a*b",
    "col:val", "{subject}: x", "^start", "a & b | !c", "a:*", "'' & ''", "x\x00y", "\x00", "%", "_", "\\",
    "-x", "+", "a" * 10_000, "word " * 2_000, "😀 emoji", "ﬁx", "<script>", "SELECT * FROM tickets_ticket;--",
    "\u200b", "  ", "",
]


@pytest.fixture
def data(agent, customer_user):
    act = Actor.of(agent)
    mine = ticket_create(actor=act, requester=customer_user.contact, subject="Broken teapot",
                         body="the spout leaks")
    message_add(actor=act, ticket=mine, kind="note", body="teapot warranty voided secretly")
    other = contact_create(actor=act, name="Teapot Collector", email="tea@pot.example")
    theirs = ticket_create(actor=act, requester=other, subject="Teapot for sale", body="cheap")
    return {"mine": mine, "theirs": theirs, "other": other}


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_never_fail(api_for, agent, customer_user, data, q):
    for user in (agent, customer_user):
        r = api_for(user).get("/api/v1/search", {"q": q})
        assert r.status_code == 200, (q[:50], r.content[:300])
        body = r.json()
        assert set(body) == {"tickets", "customers", "organisations"}


def test_search_endpoint_for_agent_and_customer(api_for, agent, customer_user, data):
    r = api_for(agent).get("/api/v1/search", {"q": "teap"})
    assert r.status_code == 200
    body = r.json()
    assert {t["id"] for t in body["tickets"]} == {data["mine"].pk, data["theirs"].pk}
    assert [c["id"] for c in body["customers"]] == [data["other"].pk]
    assert "<mark>" in body["tickets"][0]["subject_highlight"]

    r = api_for(customer_user).get("/api/v1/search", {"q": "teapot"})
    body = r.json()
    assert [t["id"] for t in body["tickets"]] == [data["mine"].pk]
    assert body["customers"] == [] and body["organisations"] == []
    assert api_for(customer_user).get("/api/v1/search", {"q": "warranty"}).json()["tickets"] == []
    assert [t["id"] for t in api_for(agent).get("/api/v1/search", {"q": "warranty"}).json()["tickets"]] == [
        data["mine"].pk
    ]


def test_kind_and_limit_parameters(api_for, agent, data):
    r = api_for(agent).get("/api/v1/search", {"q": "teapot", "kind": "customers", "limit": 1})
    body = r.json()
    assert body["tickets"] == [] and len(body["customers"]) == 1
    assert api_for(agent).get("/api/v1/search", {"q": "x", "kind": "bogus"}).status_code == 422
    assert api_for(agent).get("/api/v1/search", {"q": "x", "limit": 0}).status_code == 422
    assert api_for(agent).get("/api/v1/search", {"q": "x", "limit": 10**30}).status_code == 422


def test_search_needs_authentication(client):
    assert client.get("/api/v1/search", {"q": "x"}).status_code == 401
