from __future__ import annotations

import pytest

from frontdesk.core.actor import Actor
from frontdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from frontdesk.customers import services
from frontdesk.customers.models import ContactEvent, Identity
from frontdesk.customers.tests.factories import SYSTEM, events
from frontdesk.fields.models import CustomField
from frontdesk.testing import factories as f


def test_create_normalises_identities_and_records_event(agent) -> None:
    contact = services.contact_create(
        actor=Actor.of(agent),
        name="Ada",
        email="  Ada@Example.COM ",
        phone="+44 (20) 7946-0958",
        identities=[("twitter", " @AdaL "), ("chat", "  visitor-1 "), ("email", "ada@example.com")],
    )
    got = set(contact.identities.values_list("kind", "value", "is_primary"))
    assert got == {
        ("email", "ada@example.com", True),
        ("phone", "+442079460958", True),
        ("twitter", "adal", True),
        ("chat", "visitor-1", True),
    }
    assert contact.primary_email == "ada@example.com"
    assert events("contact.created") == [{"contact_id": contact.pk}]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"identities": [("fax", "123")]}, "identities.0"),
        ({"identities": [("email", "nope")]}, "identities.0"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"preferred_channel": "pigeon"}, "preferred_channel"),
    ],
)
def test_create_refuses_invalid_input(agent, kwargs, field) -> None:
    with pytest.raises(ValidationError) as exc:
        services.contact_create(actor=Actor.of(agent), **kwargs)
    assert field in exc.value.fields


def test_an_identity_belongs_to_one_contact(agent) -> None:
    services.contact_create(actor=Actor.of(agent), email="a@example.com")
    with pytest.raises(Conflict) as exc:
        services.contact_create(actor=Actor.of(agent), name="Other", email="A@example.com")
    assert exc.value.fields == {"email": "already used by another contact"}
    assert Identity.objects.filter(value="a@example.com").count() == 1


def test_light_agents_and_customers_cannot_create(light_agent, customer_user) -> None:
    with pytest.raises(PermissionDenied):
        services.contact_create(actor=Actor.of(light_agent), email="x@example.com")
    with pytest.raises(NotFound):  # customers are not told what staff can do
        services.contact_create(actor=Actor.of(customer_user), email="x@example.com")


def test_organisation_comes_from_the_email_domain(agent) -> None:
    org = services.organisation_save(actor=Actor.of(agent), name="Acme", domains=["acme.com"])
    contact = services.contact_create(actor=SYSTEM, email="bob@eu.acme.com")
    assert contact.organisation == org
    loose = services.contact_create(actor=SYSTEM, email="bob@gmail.com")
    assert loose.organisation is None


def test_custom_fields_and_tags_are_validated(agent) -> None:
    CustomField.objects.create(
        applies_to="contact", key="plan", label="Plan", type="dropdown", options=["free", "pro"]
    )
    contact = services.contact_create(
        actor=Actor.of(agent),
        email="c@example.com",
        custom_fields={"plan": "pro"},
        tags=["Big Spender", "beta"],
    )
    assert contact.custom_fields == {"plan": "pro"}
    assert sorted(t.name for t in contact.tags.all()) == ["beta", "big-spender"]
    with pytest.raises(ValidationError) as exc:
        services.contact_create(actor=Actor.of(agent), custom_fields={"plan": "gold"})
    assert "custom_fields.plan" in exc.value.fields


def test_contact_for_identity_finds_or_creates(db) -> None:
    first = services.contact_for_identity(actor=SYSTEM, kind="email", value="New@Example.com", name="New")
    again = services.contact_for_identity(actor=SYSTEM, kind="email", value="new@example.com ")
    assert first.pk == again.pk
    assert first.name == "New"
    assert len(events("contact.created")) == 1


def test_claiming_a_taken_identity_returns_its_owner(db) -> None:
    """The IntegrityError path of the race: the identity appeared between lookup and insert."""
    owner = services.contact_for_identity(actor=SYSTEM, kind="phone", value="+33 6 12 34 56 78")
    got = services.claim_identity(actor=SYSTEM, kind="phone", value="+33612345678", name="Late")
    assert got.pk == owner.pk
    assert Identity.objects.filter(value="+33612345678").count() == 1
    assert len(events("contact.created")) == 1  # the loser's contact and event were rolled back


def test_update_records_changes_and_checks_primary_email(agent) -> None:
    contact = services.contact_create(actor=Actor.of(agent), name="A", email="a@example.com")
    services.identity_add(actor=Actor.of(agent), contact=contact, kind="email", value="a2@example.com")
    updated = services.contact_update(
        actor=Actor.of(agent),
        contact=contact,
        name="B",
        vip=True,
        primary_email="A2@example.com",
        tags=["x"],
    )
    assert (updated.name, updated.vip, updated.primary_email) == ("B", True, "a2@example.com")
    assert set(contact.identities.filter(is_primary=True).values_list("value", flat=True)) == {
        "a2@example.com"
    }
    changes = events("contact.updated")[-1]["changes"]
    assert changes["name"] == ["A", "B"] and changes["tags"] == [[], ["x"]]
    with pytest.raises(ValidationError):
        services.contact_update(actor=Actor.of(agent), contact=contact, primary_email="z@example.com")
    with pytest.raises(ValidationError) as exc:
        services.contact_update(actor=Actor.of(agent), contact=contact, lifetime_value=10)
    assert exc.value.fields == {"lifetime_value": "unknown field"}


def test_identity_add_and_remove(agent) -> None:
    contact = services.contact_create(actor=Actor.of(agent), email="a@example.com")
    other = services.contact_create(actor=Actor.of(agent), email="b@example.com")
    with pytest.raises(Conflict):
        services.identity_add(actor=Actor.of(agent), contact=other, kind="email", value="a@example.com")
    second = services.identity_add(
        actor=Actor.of(agent), contact=contact, kind="email", value="c@example.com"
    )
    assert not second.is_primary
    first = contact.identities.get(value="a@example.com")
    services.identity_remove(actor=Actor.of(agent), contact=contact, identity_id=first.pk)
    contact.refresh_from_db()
    assert contact.primary_email == "c@example.com"
    assert contact.identities.get().is_primary
    assert [e["value"] for e in events("contact.identity_removed")] == ["a@example.com"]
    assert ContactEvent.objects.filter(contact=contact, kind="identity_removed").exists()
    with pytest.raises(NotFound):  # another contact's identity
        services.identity_remove(
            actor=Actor.of(agent), contact=contact, identity_id=other.identities.get().pk
        )


def test_note_goes_on_the_timeline(light_agent) -> None:
    contact = f.ContactFactory()
    note = services.contact_note_add(
        actor=Actor.of(light_agent), contact=contact, body=" Called. "
    )
    assert (note.kind, note.body, note.actor_user_id) == ("note", "Called.", light_agent.pk)
    assert events("contact.note_added") == [{"contact_id": contact.pk, "contact_event_id": note.pk}]
    with pytest.raises(ValidationError):
        services.contact_note_add(actor=Actor.of(light_agent), contact=contact, body="   ")


def test_organisation_domains_are_unique_and_valid(agent) -> None:
    acme = services.organisation_save(actor=Actor.of(agent), name="Acme", domains=["Acme.com", "@acme.io"])
    assert sorted(acme.domains.values_list("domain", flat=True)) == ["acme.com", "acme.io"]
    with pytest.raises(Conflict) as exc:
        services.organisation_save(actor=Actor.of(agent), name="Other", domains=["acme.io"])
    assert "domains" in exc.value.fields
    with pytest.raises(ValidationError):
        services.organisation_save(actor=Actor.of(agent), name="Bad", domains=["not a host"])
    with pytest.raises(Conflict):
        services.organisation_save(actor=Actor.of(agent), name="acme")
    services.organisation_save(actor=Actor.of(agent), organisation=acme, domains=["acme.io"], vip=True)
    acme.refresh_from_db()
    assert acme.vip and list(acme.domains.values_list("domain", flat=True)) == ["acme.io"]
    saved = events("organisation.saved")
    assert saved[0]["created"] is True
    assert saved[-1]["changes"]["domains"] == [["acme.com", "acme.io"], ["acme.io"]]


@pytest.mark.parametrize(
    ("value", "stored"),
    [("jürgen@bücher.de", "jürgen@bücher.de"), ("JÜRGEN@Example.com", "jürgen@example.com"),
     ("用户@例子.广告", "用户@例子.广告"), ("ok@example.com", "ok@example.com")],
)
def test_email_identities_accept_internationalised_local_parts(value: str, stored: str) -> None:
    from frontdesk.customers.services._common import normalise_email

    assert normalise_email(value) == stored


@pytest.mark.parametrize(
    "value", ["a..b@x.de", "jü rgen@x.de", "jü@", "jü@-bad-.de", ".jü@x.de", "jü\x00@x.de", "ü" * 65 + "@x.de"]
)
def test_email_identities_still_refuse_malformed_addresses(value: str) -> None:
    from frontdesk.customers.services._common import normalise_email

    with pytest.raises(ValidationError):
        normalise_email(value)


def test_a_claim_that_loses_to_another_writer_returns_its_contact_and_leaves_no_stray_one(db) -> None:
    from frontdesk.customers.models import Contact

    winner = services.contact_create(actor=SYSTEM, email="ada@example.com")
    before = Contact.objects.count()
    # what a writer sees when another one claimed the address after its own look-up found none
    got = services.claim_identity(actor=SYSTEM, kind="email", value="ada@example.com", name="Someone else")
    assert got.pk == winner.pk and got.name == winner.name
    assert Contact.objects.count() == before, "the contact made for the lost claim is gone"
    assert events("contact.created") == [{"contact_id": winner.pk}], "no event for the lost claim"
    assert Identity.objects.filter(value="ada@example.com").count() == 1


def test_new_senders_follow_domain_changes_at_once(agent) -> None:
    """The domain → organisation look-up is cached for every new sender; saving an organisation's
    domains forgets the ones it adds and removes."""
    first = services.contact_for_identity(actor=SYSTEM, kind="email", value="a@acme.com")
    assert first.organisation_id is None  # "acme.com: no organisation" is now cached
    org = services.organisation_save(actor=Actor.of(agent), name="Acme", domains=["acme.com"])
    joined = services.contact_for_identity(actor=SYSTEM, kind="email", value="b@acme.com")
    assert joined.organisation_id == org.pk, "a domain added is seen by the next new sender"
    services.organisation_save(actor=Actor.of(agent), organisation=org, domains=["acme.io"])
    left = services.contact_for_identity(actor=SYSTEM, kind="email", value="c@acme.com")
    moved = services.contact_for_identity(actor=SYSTEM, kind="email", value="d@eu.acme.io")
    assert left.organisation_id is None and moved.organisation_id == org.pk
