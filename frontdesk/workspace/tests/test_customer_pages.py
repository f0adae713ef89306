"""Customer and organisation pages: what agents see and change there, through the CRM services."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from frontdesk.core.actor import SYSTEM
from frontdesk.customers.models import Contact, ContactEvent, Identity, Organisation
from frontdesk.customers.services import purchase_record
from frontdesk.fields.models import CustomField
from frontdesk.testing import factories as f
from frontdesk.testing.factories import make_ticket
from frontdesk.testing.fixtures import client_for
from frontdesk.tickets.services import message_add

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _history(contact: Contact, n: int) -> None:
    for i in range(n):
        ticket = make_ticket(contact, subject=f"Question {i}")
        message_add(actor=SYSTEM, ticket=ticket, body=f"follow-up {i}", author_contact=contact)
        purchase_record(actor=SYSTEM, contact=contact, product=f"Plan {i}", amount="10.00",
                        currency="EUR", purchased_at=datetime(2025, 1, 1 + i, tzinfo=UTC))


def test_the_customer_page_shows_tickets_timeline_purchases_and_lifetime_value(agent) -> None:  # type: ignore[no-untyped-def]
    contact = f.ContactFactory(name="Ada <b>Lovelace</b>", organisation=f.OrganisationFactory(name="Analytical"))
    _history(contact, 2)
    page = client_for(agent).get(f"/customers/{contact.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in html and "<b>Lovelace" not in html
    assert "Question 0" in html and "Question 1" in html and "/tickets/" in html
    assert "follow-up 1" in html, "the customer's messages are on the timeline"
    assert "Plan 1" in html and "20.00" in html, "purchases and the lifetime value"
    assert "Analytical" in html
    assert 'for="f-time-zone"' in html and 'for="f-preferred-channel"' in html


def test_the_customer_page_query_count_does_not_grow_with_history(agent, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    small, big = f.ContactFactory(), f.ContactFactory()
    _history(small, 1)
    _history(big, 12)
    CustomField.objects.create(applies_to="contact", key="plan", label="Plan", type="text")
    client = client_for(agent)
    client.get(f"/customers/{small.pk}/")  # warm caches (session, content types)
    with django_assert_max_num_queries(24) as small_ctx:
        assert client.get(f"/customers/{small.pk}/").status_code == 200
    with django_assert_max_num_queries(24) as big_ctx:
        assert client.get(f"/customers/{big.pk}/").status_code == 200
    assert len(big_ctx.captured_queries) == len(small_ctx.captured_queries)


def test_agents_edit_profile_fields_tags_and_custom_fields(agent) -> None:  # type: ignore[no-untyped-def]
    CustomField.objects.create(applies_to="contact", key="plan", label="Plan", type="dropdown",
                               options=["Free", "Pro"])
    contact = f.ContactFactory()
    response = client_for(agent).post(f"/customers/{contact.pk}/", {
        "name": "Grace Hopper", "language": "fr", "time_zone": "Europe/Paris", "preferred_channel": "chat",
        "tier": "gold", "vip": "on", "notes": "prefers mornings", "tags": "beta, early-adopter", "cf_plan": "Pro",
    })
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.name, contact.language, contact.time_zone, contact.preferred_channel) == (
        "Grace Hopper", "fr", "Europe/Paris", "chat")
    assert contact.vip and contact.tier == "gold" and contact.custom_fields == {"plan": "Pro"}
    assert sorted(t.name for t in contact.tags.all()) == ["beta", "early-adopter"]


def test_invalid_values_are_shown_next_to_their_field_and_kept(agent) -> None:  # type: ignore[no-untyped-def]
    CustomField.objects.create(applies_to="contact", key="seats", label="Seats", type="number")
    contact = f.ContactFactory(name="Kept")
    response = client_for(agent).post(f"/customers/{contact.pk}/", {
        "name": "Typed name", "time_zone": "", "tags": "", "cf_seats": "many", "notes": "",
    })
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="f-cf-seats-error"' in html and "must be a number" in html
    assert 'value="Typed name"' in html, "what the agent typed is not lost"
    contact.refresh_from_db()
    assert contact.name == "Kept"


def test_identities_are_added_and_removed_from_the_page(agent) -> None:  # type: ignore[no-untyped-def]
    contact = f.ContactFactory()
    client = client_for(agent)
    added = client.post(f"/customers/{contact.pk}/identities/", {"kind": "phone", "value": "+44 20 7946 0000"})
    assert added.status_code == 302
    phone = Identity.objects.get(contact=contact, kind="phone")
    taken = f.ContactFactory()
    refused = client.post(f"/customers/{contact.pk}/identities/", {"kind": "email", "value": taken.primary_email})
    assert refused.status_code == 409 and b"role=\"alert\"" in refused.content
    assert client.post(f"/customers/{contact.pk}/identities/{phone.pk}/remove/").status_code == 302
    assert not Identity.objects.filter(pk=phone.pk).exists()


def test_a_crm_note_lands_on_the_timeline(agent) -> None:  # type: ignore[no-untyped-def]
    contact = f.ContactFactory()
    client = client_for(agent)
    client.post(f"/customers/{contact.pk}/notes/", {"body": "Called about renewal"})
    assert ContactEvent.objects.filter(contact=contact, kind="note", body="Called about renewal").exists()
    assert "Called about renewal" in client.get(f"/customers/{contact.pk}/").content.decode()


def test_merge_from_the_page_searches_confirms_and_lands_on_the_target(agent) -> None:  # type: ignore[no-untyped-def]
    source = f.ContactFactory(name="Dup Person")
    target = f.ContactFactory(name="Zed Keeper")
    make_ticket(source, subject="Old question")
    client = client_for(agent)
    found = client.get(f"/customers/{source.pk}/merge/", {"q": "Zed"}).content.decode()
    assert f"?target={target.pk}" in found
    confirm = client.get(f"/customers/{source.pk}/merge/", {"target": target.pk}).content.decode()
    assert "This cannot be undone" in confirm
    response = client.post(f"/customers/{source.pk}/merge/", {"target": target.pk})
    assert response.status_code == 302 and response["Location"] == f"/customers/{target.pk}/"
    source.refresh_from_db()
    assert source.merged_into_id == target.pk
    assert "Old question" in client.get(response["Location"]).content.decode()
    # the old address now leads to the contact that was kept
    assert client.get(f"/customers/{source.pk}/")["Location"] == f"/customers/{target.pk}/"


def test_the_list_searches_filters_and_creates(agent) -> None:  # type: ignore[no-untyped-def]
    org = f.OrganisationFactory(name="Acme")
    f.ContactFactory(name="Alice Acme", organisation=org, vip=True)
    f.ContactFactory(name="Bob Other")
    client = client_for(agent)
    html = client.get("/customers/", {"q": "ali"}).content.decode()
    assert "Alice Acme" in html and "Bob Other" not in html
    html = client.get("/customers/", {"vip": "1"}).content.decode()
    assert "Alice Acme" in html and "Bob Other" not in html
    html = client.get("/customers/", {"organisation": org.pk}).content.decode()
    assert "Alice Acme" in html and "Bob Other" not in html
    bad = client.post("/customers/", {"name": "X", "email": "not-an-email"})
    assert bad.status_code == 422 and 'id="f-email-error"' in bad.content.decode()
    made = client.post("/customers/", {"name": "Carol New", "email": "carol@new.test", "organisation": org.pk})
    carol = Contact.objects.get(primary_email="carol@new.test")
    assert made["Location"] == f"/customers/{carol.pk}/" and carol.organisation_id == org.pk


def test_the_list_pages_with_a_cursor(agent) -> None:  # type: ignore[no-untyped-def]
    for i in range(55):
        f.ContactFactory(name=f"Person {i:02d}")
    client = client_for(agent)
    first = client.get("/customers/").content.decode()
    assert "Person 00" in first and "Person 54" not in first and "cursor=" in first
    cursor = first.split("cursor=")[1].split('"')[0]
    second = client.get("/customers/", {"cursor": cursor}).content.decode()
    assert "Person 54" in second and "Person 00" not in second


def test_customers_and_anonymous_people_are_refused(customer_user) -> None:  # type: ignore[no-untyped-def]
    contact = f.ContactFactory()
    assert client_for(customer_user).get(f"/customers/{contact.pk}/").status_code == 403
    assert Client().get("/customers/").status_code == 302
    assert client_for(customer_user).get("/organisations/").status_code == 403


def test_unknown_and_huge_ids_are_not_found(agent) -> None:  # type: ignore[no-untyped-def]
    client = client_for(agent)
    assert client.get("/customers/999999/").status_code == 404
    assert client.get(f"/customers/{2**64}/").status_code == 404
    assert client.get(f"/organisations/{2**64}/").status_code == 404


def test_organisation_page_edits_domains_and_lists_contacts_and_tickets(agent) -> None:  # type: ignore[no-untyped-def]
    org = f.OrganisationFactory(name="Globex")
    person = f.ContactFactory(name="Hank Scorpio", organisation=org)
    make_ticket(person, subject="Doomsday device")
    client = client_for(agent)
    html = client.get(f"/organisations/{org.pk}/").content.decode()
    assert "Hank Scorpio" in html and "Doomsday device" in html
    response = client.post(f"/organisations/{org.pk}/", {
        "name": "Globex Corp", "domains": "globex.test, globex.example", "tier": "enterprise", "vip": "on",
        "notes": "", "tags": "key-account",
    })
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "Globex Corp" and org.vip
    assert sorted(d.domain for d in org.domains.all()) == ["globex.example", "globex.test"]
    bad = client.post(f"/organisations/{org.pk}/", {"name": "Globex Corp", "domains": "not a domain!"})
    assert bad.status_code == 422 and 'id="f-domains-error"' in bad.content.decode()


def test_organisations_list_and_create(agent) -> None:  # type: ignore[no-untyped-def]
    client = client_for(agent)
    made = client.post("/organisations/", {"name": "Initech", "domains": "initech.test"})
    org = Organisation.objects.get(name="Initech")
    assert made["Location"] == f"/organisations/{org.pk}/"
    assert "Initech" in client.get("/organisations/", {"q": "ini"}).content.decode()
    dup = client.post("/organisations/", {"name": "Initech"})
    assert dup.status_code == 409 and 'id="f-name-error"' in dup.content.decode()


@pytest.mark.django_db
def test_saving_a_contact_keeps_an_organisation_beyond_the_first_300(admin_user) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    from frontdesk.customers.models import Contact, Organisation

    Organisation.objects.bulk_create([Organisation(name=f"A{i:04d}") for i in range(310)])
    late = Organisation.objects.create(name="Zeta Corp")
    contact = Contact.objects.create(name="Zed", organisation=late)
    client = Client()
    client.force_login(admin_user)
    page = client.get(f"/customers/{contact.pk}/").content.decode()
    assert f'<option value="{late.pk}" selected>Zeta Corp</option>' in page
