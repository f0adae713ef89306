"""factory_boy factories for the whole suite (tests and benchmarks import these)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import factory
from factory.django import DjangoModelFactory

from frontdesk.accounts.models import Team, User
from frontdesk.customers.models import Contact, Identity, Organisation

if TYPE_CHECKING:
    from frontdesk.tickets.models import Ticket

PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    role = "agent"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)


class TeamFactory(DjangoModelFactory[Team]):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Org {n}")


class ContactFactory(DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    name = factory.Faker("name")
    primary_email = factory.Sequence(lambda n: f"contact{n}@customer.test")

    @factory.post_generation
    def identity(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and obj.primary_email:
            Identity.objects.get_or_create(kind="email", value=obj.primary_email, defaults={"contact": obj})


def customer_with_contact(email: str | None = None) -> User:
    """A customer who can sign in, with their CRM contact."""
    user = UserFactory.create(role="customer", **({"email": email} if email else {}))
    ContactFactory(user=user, primary_email=user.email, name=user.name)
    return user


def make_ticket(requester: Contact | None = None, **kwargs: Any) -> Ticket:
    """A ticket made through ticket_create (so it is always consistent), from a new contact unless
    ``requester`` is given; ``kwargs`` go to ticket_create (subject and body have defaults)."""
    from frontdesk.core.actor import SYSTEM
    from frontdesk.tickets.services import ticket_create

    kwargs.setdefault("subject", "Printer on fire")
    kwargs.setdefault("body", "It is on fire.")
    contact: Contact = requester or ContactFactory()  # type: ignore[assignment]  # factory_boy returns the model
    return ticket_create(actor=SYSTEM, requester=contact, **kwargs)


def contact_of(user: User) -> Contact:
    return Contact.objects.get(user=user)


def team_with(*members: User, restricted: bool = False) -> Team:
    team: Team = TeamFactory(restricted=restricted)  # type: ignore[assignment]  # factory_boy returns the model
    team.members.add(*members)
    return team
