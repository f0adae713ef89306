"""factory_boy factories for the whole suite (tests and benchmarks import these)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from frontdesk.accounts.models import Team, User
from frontdesk.customers.models import Contact, Identity, Organisation

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
