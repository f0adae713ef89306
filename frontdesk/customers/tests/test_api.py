from __future__ import annotations

import pytest

from frontdesk.core.actor import Actor
from frontdesk.customers import services
from frontdesk.customers.models import Contact, Purchase
from frontdesk.customers.tests.factories import SYSTEM
from frontdesk.testing import factories as f

HUGE = 2**63 + 5


def _buy(contact, amount="10.00"):  # type: ignore[no-untyped-def]
    return services.purchase_record(
        actor=SYSTEM,
        contact=contact,
        product="P",
        amount=amount,
        currency="EUR",
        purchased_at="2026-01-01",
    )


def test_agent_creates_and_reads_a_customer(agent, api_for) -> None:
    api = api_for(agent)
    org = services.organisation_save(actor=Actor.of(agent), name="Acme", domains=["acme.com"])
    r = api.post(
        "/api/v1/customers",
        {
            "name": "Ada",
            "email": "ADA@acme.com",
            "identities": [{"kind": "phone", "value": "+1 555 010 0200"}],
            "tags": ["beta"],
            "notes": "met at a fair",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["organisation"] == {"id": org.pk, "name": "Acme"}
    assert {(i["kind"], i["value"]) for i in body["identities"]} == {
        ("email", "ada@acme.com"),
        ("phone", "+15550100200"),
    }
    assert body["tags"] == ["beta"]
    assert (body["lifetime_value"], body["purchase_count"]) == ("0.00", 0)
    got = api.get(f"/api/v1/customers/{body['id']}").json()
    assert got["primary_email"] == "ada@acme.com" and got["notes"] == "met at a fair"


def test_create_is_idempotent_with_a_key(agent, api_for) -> None:
    api = api_for(agent)
    headers = {"Idempotency-Key": "k-1"}
    first = api.post("/api/v1/customers", {"email": "once@example.com"}, headers=headers)
    again = api.post("/api/v1/customers", {"email": "once@example.com"}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert Contact.objects.filter(primary_email="once@example.com").count() == 1


def test_duplicate_identity_is_a_conflict_with_fields(agent, api_for) -> None:
    api = api_for(agent)
    api.post("/api/v1/customers", {"email": "dup@example.com"})
    r = api.post("/api/v1/customers", {"email": "dup@example.com"})
    assert r.status_code == 409
    assert r.json()["error"]["fields"] == {"email": "already used by another contact"}


def test_unknown_fields_are_refused(agent, api_for) -> None:
    api = api_for(agent)
    r = api.post("/api/v1/customers", {"email": "x@example.com", "lifetime_value": "1000000"})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "validation_error" and "lifetime_value" in error["fields"]
    contact = f.ContactFactory()
    r = api.patch(f"/api/v1/customers/{contact.pk}", {"purchase_count": 5})
    assert r.status_code == 422 and "purchase_count" in r.json()["error"]["fields"]


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/customers/{HUGE}",
        f"/api/v1/customers/{HUGE}/purchases",
        f"/api/v1/organisations/{HUGE}",
        "/api/v1/customers/0",
        "/api/v1/customers/-3",
    ],
)
def test_out_of_range_ids_are_not_found(agent, api_for, path) -> None:
    # an id outside 1..2^63-1 names nothing: 404, as for any missing id (docs/api/README.md)
    r = api_for(agent).get(path)
    assert r.status_code == 404, r.content
    assert r.json()["error"]["code"] == "not_found"


def test_out_of_range_ids_in_bodies_and_filters(agent, api_for) -> None:
    api = api_for(agent)
    contact = f.ContactFactory()
    assert api.post(f"/api/v1/customers/{contact.pk}/merge", {"target_id": HUGE}).status_code == 422
    assert api.get("/api/v1/customers", {"organisation_id": HUGE}).status_code == 422
    r = api.post(
        "/api/v1/purchases",
        {"contact_id": HUGE, "product": "P", "amount": "1", "currency": "EUR", "purchased_at": "2026-01-01"},
    )
    assert r.status_code == 422


def test_a_customer_sees_only_their_own_contact(customer_user, api_for) -> None:
    api = api_for(customer_user)
    mine = customer_user.contact
    other = f.ContactFactory(notes="internal")
    _buy(mine)
    _buy(other)
    assert api.get(f"/api/v1/customers/{mine.pk}").status_code == 200
    assert [c["id"] for c in api.get("/api/v1/customers").json()["items"]] == [mine.pk]
    for path in (
        f"/api/v1/customers/{other.pk}",
        f"/api/v1/customers/{other.pk}/purchases",
        f"/api/v1/customers/{other.pk + 1000}",
    ):
        r = api.get(path)
        assert r.status_code == 404, path
    assert len(api.get(f"/api/v1/customers/{mine.pk}/purchases").json()["items"]) == 1
    r = api.post(
        f"/api/v1/customers/{other.pk}/purchases",
        {"product": "P", "amount": "1", "currency": "EUR", "purchased_at": "2026-01-01"},
    )
    assert r.status_code == 404
    # creating contacts is staff-only, and staff-only things answer customers 404 (accounts.policies)
    r = api.post("/api/v1/customers", {"email": "new@example.com"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", r.content
    assert not Contact.objects.filter(primary_email="new@example.com").exists()
    assert Purchase.objects.count() == 2


def test_customer_sees_own_organisation_without_internal_notes(customer_user, api_for, agent) -> None:
    org = services.organisation_save(actor=Actor.of(agent), name="Acme", notes="late payer")
    other = services.organisation_save(actor=Actor.of(agent), name="Other")
    Contact.objects.filter(pk=customer_user.contact.pk).update(organisation=org, notes="angry")
    api = api_for(customer_user)
    r = api.get(f"/api/v1/organisations/{org.pk}")
    assert r.status_code == 200 and r.json()["notes"] == ""
    assert api.get(f"/api/v1/customers/{customer_user.contact.pk}").json()["notes"] == ""
    assert api.get(f"/api/v1/organisations/{other.pk}").status_code == 404
    assert [o["id"] for o in api.get("/api/v1/organisations").json()["items"]] == [org.pk]


def test_list_filters_and_keyset_pages(agent, api_for) -> None:
    api = api_for(agent)
    org = services.organisation_save(actor=Actor.of(agent), name="Acme")
    a = services.contact_create(actor=Actor.of(agent), name="Zoe Adams", email="zoe@example.com", vip=True)
    b = services.contact_create(
        actor=Actor.of(agent), name="Yann", email="yann@example.com", organisation=org
    )
    c = services.contact_create(actor=Actor.of(agent), name="Xavier", email="x@example.com")
    assert [x["id"] for x in api.get("/api/v1/customers", {"q": "zo"}).json()["items"]] == [a.pk]
    assert [x["id"] for x in api.get("/api/v1/customers", {"q": "YANN@"}).json()["items"]] == [b.pk]
    assert [x["id"] for x in api.get("/api/v1/customers", {"vip": "true"}).json()["items"]] == [a.pk]
    assert [x["id"] for x in api.get("/api/v1/customers", {"organisation_id": org.pk}).json()["items"]] == [
        b.pk
    ]
    first = api.get("/api/v1/customers", {"limit": 2}).json()
    assert [x["id"] for x in first["items"]] == [c.pk, b.pk]
    second = api.get("/api/v1/customers", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [x["id"] for x in second["items"]] == [a.pk] and second["next_cursor"] is None


def test_contact_list_query_count_does_not_grow(agent, api_for, django_assert_max_num_queries) -> None:
    api = api_for(agent)
    org = services.organisation_save(actor=Actor.of(agent), name="Acme")
    for i in range(30):
        services.contact_create(
            actor=Actor.of(agent),
            email=f"c{i}@example.com",
            phone=f"+3361234{i:04d}",
            organisation=org,
            tags=["t1", "t2"],
        )
    api.get("/api/v1/customers")  # warm up
    with django_assert_max_num_queries(6):
        r = api.get("/api/v1/customers", {"limit": 30})
    assert len(r.json()["items"]) == 30
    assert all(len(c["identities"]) == 2 and c["tags"] == ["t1", "t2"] for c in r.json()["items"])


def test_patch_identities_notes_and_merge(agent, api_for) -> None:
    api = api_for(agent)
    a = services.contact_create(actor=Actor.of(agent), email="a@example.com")
    b = services.contact_create(actor=Actor.of(agent), email="b@example.com")
    r = api.patch(f"/api/v1/customers/{a.pk}", {"name": "Alice", "vip": True})
    assert r.status_code == 200 and (r.json()["name"], r.json()["vip"]) == ("Alice", True)
    r = api.post(f"/api/v1/customers/{a.pk}/identities", {"kind": "whatsapp", "value": "+33 6 11 22 33 44"})
    assert r.status_code == 201 and r.json()["value"] == "+33611223344"
    r = api.post(f"/api/v1/customers/{b.pk}/identities", {"kind": "email", "value": "A@example.com"})
    assert r.status_code == 409
    identity_id = a.identities.get(kind="whatsapp").pk
    assert api.delete(f"/api/v1/customers/{b.pk}/identities/{identity_id}").status_code == 404
    assert api.delete(f"/api/v1/customers/{a.pk}/identities/{identity_id}").status_code == 204
    assert api.delete(f"/api/v1/customers/{a.pk}/identities/{HUGE}").status_code == 404
    r = api.post(f"/api/v1/customers/{a.pk}/notes", {"body": "Called back."})
    assert r.status_code == 201 and r.json()["kind"] == "note"
    _buy(a, "12.50")
    r = api.post(f"/api/v1/customers/{a.pk}/merge", {"target_id": b.pk})
    assert r.status_code == 200
    assert (r.json()["id"], r.json()["lifetime_value"], r.json()["purchase_count"]) == (b.pk, "12.50", 1)
    assert api.post(f"/api/v1/customers/{a.pk}/merge", {"target_id": b.pk}).status_code == 422
    assert api.get(f"/api/v1/customers/{a.pk}").json()["merged_into_id"] == b.pk
    assert [c["id"] for c in api.get("/api/v1/customers").json()["items"]] == [b.pk]


def test_light_agent_reads_but_cannot_change(light_agent, api_for) -> None:
    api = api_for(light_agent)
    contact = f.ContactFactory()
    assert api.get(f"/api/v1/customers/{contact.pk}").status_code == 200
    assert api.patch(f"/api/v1/customers/{contact.pk}", {"name": "X"}).status_code == 403
    assert api.post(f"/api/v1/customers/{contact.pk}/notes", {"body": "ok"}).status_code == 201


def test_purchases_api(agent, api_for) -> None:
    api = api_for(agent)
    contact = f.ContactFactory()
    body = {
        "contact_id": contact.pk,
        "product": "Plan",
        "amount": "49.90",
        "currency": "eur",
        "purchased_at": "2026-02-01T10:00:00Z",
        "external_id": "inv-7",
    }
    r = api.post("/api/v1/purchases", body)
    assert r.status_code == 201, r.content
    assert (r.json()["amount"], r.json()["currency"]) == ("49.90", "EUR")
    assert api.post("/api/v1/purchases", body).json()["id"] == r.json()["id"]
    r = api.post(
        f"/api/v1/customers/{contact.pk}/purchases",
        {"product": "Addon", "amount": "0.10", "currency": "EUR", "purchased_at": "2026-03-01"},
    )
    assert r.status_code == 201
    bad = api.post("/api/v1/purchases", {**body, "amount": "1.234", "external_id": None})
    assert bad.status_code == 422 and "amount" in bad.json()["error"]["fields"]
    page = api.get(f"/api/v1/customers/{contact.pk}/purchases", {"limit": 1}).json()
    assert page["items"][0]["product"] == "Addon"
    page2 = api.get(
        f"/api/v1/customers/{contact.pk}/purchases", {"limit": 1, "cursor": page["next_cursor"]}
    ).json()
    assert page2["items"][0]["product"] == "Plan"
    contact.refresh_from_db()
    assert (str(contact.lifetime_value), contact.purchase_count) == ("50.00", 2)


def test_organisations_api(agent, api_for) -> None:
    api = api_for(agent)
    r = api.post("/api/v1/organisations", {"name": "Acme", "domains": ["acme.com"], "tags": ["key"]})
    assert r.status_code == 201, r.content
    org_id = r.json()["id"]
    assert r.json()["domains"] == ["acme.com"] and r.json()["tags"] == ["key"]
    assert api.post("/api/v1/organisations", {"name": "Copy", "domains": ["acme.com"]}).status_code == 409
    r = api.patch(f"/api/v1/organisations/{org_id}", {"domains": ["acme.com", "acme.io"], "vip": True})
    assert r.status_code == 200 and r.json()["domains"] == ["acme.com", "acme.io"] and r.json()["vip"]
    r = api.post("/api/v1/customers", {"email": "joe@acme.io"})
    assert r.json()["organisation"]["id"] == org_id
    assert [o["name"] for o in api.get("/api/v1/organisations", {"q": "ac"}).json()["items"]] == ["Acme"]
