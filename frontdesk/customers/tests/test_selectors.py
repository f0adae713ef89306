"""The requester picker's reads: contact_suggestions and contact_exact_match, and the phone
digits they share with normalise_phone."""

from __future__ import annotations

import pytest

from frontdesk.core.errors import ValidationError
from frontdesk.customers import selectors
from frontdesk.customers.models import Contact, Identity
from frontdesk.customers.search import index_contacts
from frontdesk.customers.services._common import normalise_phone, phone_digits
from frontdesk.testing import factories as f


def _carla() -> Contact:
    carla = f.ContactFactory(name="Carla Diaz", primary_email="carla@shop.test")
    Identity.objects.create(contact=carla, kind="phone", value="+34912345678")
    other = f.ContactFactory(name="Other Person", primary_email="other@else.test")
    index_contacts([carla.pk, other.pk])
    return carla


def _ids(viewer, q: str, **kwargs) -> list[int]:  # type: ignore[no-untyped-def]
    return [c.pk for c in selectors.contact_suggestions(viewer=viewer, q=q, **kwargs)]


@pytest.mark.parametrize(
    ("typed", "digits"),
    [("+34 912 34", "3491234"), ("0034 (912) 345-678", "34912345678"), ("0034/912", "34912"), ("  +1 ", "1"),
     ("carla", ""), ("12a", ""), ("", ""), ("00", "")],
)
def test_phone_digits_of_whole_or_partly_typed_numbers(typed: str, digits: str) -> None:
    assert phone_digits(typed) == digits


def test_normalise_phone_is_phone_digits_with_a_length_check() -> None:
    assert normalise_phone(" 0044 (20) 7946-0958 ") == "+442079460958"
    for bad in ("+34 912", "1" * 16, "12a456789"):
        with pytest.raises(ValidationError):
            normalise_phone(bad)


@pytest.mark.parametrize("q", ["+34 912 34", "+34 (912) 345-678", "0034.912/345", "34912", " 0034 9123 "])
def test_phone_numbers_match_by_prefix_with_spaces_punctuation_and_plus(agent, q: str) -> None:  # type: ignore[no-untyped-def]
    carla = _carla()
    assert _ids(agent, q) == [carla.pk]


def test_a_phone_prefix_needs_four_digits_and_whatsapp_numbers_count(agent) -> None:  # type: ignore[no-untyped-def]
    carla = _carla()
    assert _ids(agent, "+34 9") == []
    wa = f.ContactFactory(name="Wanda", primary_email="")
    Identity.objects.create(contact=wa, kind="whatsapp", value="+447700900123")
    assert _ids(agent, "+44 7700") == [wa.pk]
    assert _ids(agent, "+34 912") == [carla.pk]


@pytest.mark.parametrize("q", ["carl", "CARLA D", "carla@shop", "Carla@Shop.test", "diaz"])
def test_names_and_addresses_match_by_prefix_and_words(agent, q: str) -> None:  # type: ignore[no-untyped-def]
    carla = _carla()
    assert _ids(agent, q) == [carla.pk]


def test_nothing_is_suggested_for_nothing_typed_but_an_organisations_contacts_are(agent) -> None:  # type: ignore[no-untyped-def]
    _carla()
    org = f.OrganisationFactory(name="Shop")
    bea = f.ContactFactory(name="Bea", organisation=org)
    amy = f.ContactFactory(name="Amy", organisation=org)
    assert _ids(agent, "") == []
    assert _ids(agent, "", organisation_id=org.pk) == [amy.pk, bea.pk]
    assert _ids(agent, "carla", organisation_id=org.pk) == [], "only the organisation's contacts"


def test_the_start_of_a_name_or_address_comes_before_a_word_inside_it(agent) -> None:  # type: ignore[no-untyped-def]
    inside = f.ContactFactory(name="Aaron Adams", primary_email="aaron@x.test")  # first by name
    start = f.ContactFactory(name="Adaline Moss", primary_email="moss@x.test")
    by_address = f.ContactFactory(name="Zoe Zed", primary_email="adam@x.test")
    index_contacts([inside.pk, start.pk, by_address.pk])
    assert _ids(agent, "ada") == [start.pk, by_address.pk, inside.pk]


def test_an_exact_address_or_number_picks_one_contact(agent) -> None:  # type: ignore[no-untyped-def]
    carla = _carla()
    f.ContactFactory(name="Carla Two", primary_email="carla@shop.test.example")
    for q in (" Carla@Shop.TEST ", "+34 912 345 678", "0034 (912) 345-678", "34912345678"):
        assert selectors.contact_exact_match(viewer=agent, q=q) == carla, q
    for q in ("carla@shop", "+34 912", "Carla Diaz", ""):
        assert selectors.contact_exact_match(viewer=agent, q=q) is None, q


def test_the_limit_keeps_the_best_first_and_never_repeats_a_contact(agent) -> None:  # type: ignore[no-untyped-def]
    many = [f.ContactFactory(name=f"Sam {i:02d}") for i in range(10)]
    twice = f.ContactFactory(name="Zed", primary_email="")
    Identity.objects.create(contact=twice, kind="phone", value="+15550100")
    Identity.objects.create(contact=twice, kind="whatsapp", value="+15550100")
    assert _ids(agent, "sam") == [c.pk for c in many[:8]]
    assert _ids(agent, "+1 555 01") == [twice.pk]


def test_light_agents_see_every_contact_as_the_policy_says(light_agent) -> None:  # type: ignore[no-untyped-def]
    carla = _carla()
    assert _ids(light_agent, "carl") == _ids(light_agent, "+34 912") == _ids(light_agent, "diaz") == [carla.pk]
    assert selectors.contact_exact_match(viewer=light_agent, q="carla@shop.test") == carla


def test_a_customer_finds_no_other_contact_and_an_inactive_agent_none(customer_user, agent) -> None:  # type: ignore[no-untyped-def]
    _carla()
    own = Contact.objects.get(user=customer_user)
    index_contacts([own.pk])
    for q in ("carl", "diaz", "carla@shop", "+34 912 34"):
        assert _ids(customer_user, q) == [], q
    assert selectors.contact_exact_match(viewer=customer_user, q="carla@shop.test") is None
    assert selectors.contact_exact_match(viewer=customer_user, q="+34912345678") is None
    assert _ids(customer_user, own.primary_email) == [own.pk], "a customer sees their own contact only"
    agent.is_active = False
    agent.save()
    assert _ids(agent, "carl") == [] and selectors.contact_exact_match(viewer=agent, q="carla@shop.test") is None


def test_a_new_contact_of_a_renamed_organisation_is_found_by_its_new_name(agent) -> None:  # type: ignore[no-untyped-def]
    from frontdesk.core.actor import SYSTEM, Actor
    from frontdesk.customers import services

    org = services.organisation_save(actor=Actor.of(agent), name="Acme", domains=["acme.com"])
    ann = services.contact_for_identity(actor=SYSTEM, kind="email", value="ann@acme.com")  # its name is cached
    services.organisation_save(actor=Actor.of(agent), organisation=org, name="Globex")
    bob = services.contact_for_identity(actor=SYSTEM, kind="email", value="bob@acme.com")
    assert bob.organisation_id == org.pk
    assert set(_ids(agent, "globex")) == {ann.pk, bob.pk}, "the new name, for the contact made after the rename too"
