"""`frontdesk demo`: a believable support organisation, written through the service layer.

The demo sign-ins (demo_accounts.py), three teams of agents, organisations with email
domains, customers with purchases, and tickets spread over the last 90 days with
conversations from demo_scenarios.py. Everything goes through the services, so events, the
audit trail and the search index are filled as they would be in real use.

Deterministic (a seeded random) and idempotent: every object has a key (an email address, a
name, a purchase's external id, a ticket's ``reference`` custom field), and a rerun creates
only what is missing.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from frontdesk.core.actor import Actor
from frontdesk.ops.demo_accounts import DEMO_PASSWORD
from frontdesk.ops.demo_scenarios import (
    COMPANY_SUFFIXES,
    COMPANY_WORDS,
    FIRST_NAMES,
    LAST_NAMES,
    PRODUCTS,
    SCENARIOS,
    TEAMS,
    Scenario,
    status_for_age,
)

DEMO_DOMAIN = "demo.frontdesk.local"
REFERENCE_PREFIX = "DEMO-"
CHANNELS = (("email", 45), ("chat", 20), ("web", 15), ("phone", 8), ("api", 4), ("whatsapp", 6), ("sms", 2))
BATCH = 50  # tickets per transaction


@dataclass(frozen=True)
class DemoSize:
    tickets: int = 2000
    customers: int = 300
    organisations: int = 40
    agents: int = 12
    days: int = 90


class Demo:
    def __init__(self, size: DemoSize, seed: int, stdout: Any = None):
        from frontdesk.core.actor import SYSTEM

        self.size = size
        self.rng = random.Random(seed)
        self.out = stdout
        self.actor = SYSTEM
        self.created: dict[str, int] = {}
        self.now = timezone.now().replace(second=0, microsecond=0)

    def say(self, text: str) -> None:
        if self.out is not None:
            self.out.write(text)

    def count(self, kind: str, n: int = 1) -> None:
        self.created[kind] = self.created.get(kind, 0) + n

    # --- people ------------------------------------------------------------------------------

    def user(self, email: str, name: str, role: str, password: str | None = None) -> Any:
        from frontdesk.accounts.models import User
        from frontdesk.accounts.services import user_create

        user = User.objects.filter(email=email).first()
        if user is None:
            user = user_create(actor=self.actor, email=email, name=name, role=role, password=password)
            self.count("users")
        return user

    def people(self) -> None:
        from frontdesk.accounts.models import Team
        from frontdesk.accounts.services import team_save

        self.admin = self.user(f"admin@{DEMO_DOMAIN}", "Ada Admin", "admin", DEMO_PASSWORD)
        self.as_admin = Actor.of(self.admin)
        self.supervisor = self.user(f"supervisor@{DEMO_DOMAIN}", "Sam Supervisor", "supervisor",
                                    DEMO_PASSWORD)
        demo_agent = self.user(f"agent@{DEMO_DOMAIN}", "Alex Agent", "agent", DEMO_PASSWORD)
        self.light_agent = self.user(f"light@{DEMO_DOMAIN}", "Lee Light", "light_agent", DEMO_PASSWORD)
        agents = [demo_agent]
        for i in range(1, self.size.agents):
            first, last = FIRST_NAMES[(i * 7) % len(FIRST_NAMES)], LAST_NAMES[(i * 5) % len(LAST_NAMES)]
            email = f"{first.lower()}.{last.lower()}@{DEMO_DOMAIN}".replace("á", "a")
            agents.append(self.user(email, f"{first} {last}", "agent"))
        self.team_agents: dict[str, list[Any]] = {}
        self.teams: dict[str, Any] = {}
        for t, name in enumerate(TEAMS):
            members = [a for i, a in enumerate(agents) if i % len(TEAMS) == t]
            team = Team.objects.filter(name=name).first()
            wanted = sorted([self.supervisor.pk, *(m.pk for m in members)])
            if team is None or sorted(team.members.values_list("pk", flat=True)) != wanted:
                if team is None:
                    self.count("teams")
                team = team_save(actor=self.as_admin, team=team, name=name, member_ids=wanted,
                                 description=f"{name} questions")
            self.teams[name] = team
            self.team_agents[name] = members

    def custom_fields(self) -> None:
        from frontdesk.fields.models import CustomField
        from frontdesk.fields.services import custom_field_save

        wanted: list[dict[str, Any]] = [
            {"key": "plan", "label": "Plan", "type": "dropdown",
             "options": ["Starter", "Team", "Business", "Hardware", "Services"], "position": 10},
            {"key": "reference", "label": "Order or case reference", "type": "text", "position": 20},
        ]
        for spec in wanted:
            if not CustomField.objects.filter(applies_to="ticket", key=spec["key"]).exists():
                custom_field_save(actor=self.as_admin, applies_to="ticket", **spec)
                self.count("custom_fields")

    # --- customers ---------------------------------------------------------------------------

    def organisations(self) -> None:
        from frontdesk.customers.models import Organisation
        from frontdesk.customers.services import organisation_save

        existing = {o.name: o for o in Organisation.objects.all()}
        self.orgs: list[tuple[Any, str]] = []
        for i in range(self.size.organisations):
            word = COMPANY_WORDS[i % len(COMPANY_WORDS)]
            suffix = COMPANY_SUFFIXES[(i * 3 + i // len(COMPANY_WORDS)) % len(COMPANY_SUFFIXES)]
            name = f"{word} {suffix}"
            domain = f"{word.lower()}{suffix.lower()}.example"
            org = existing.get(name)
            if org is None:
                org = organisation_save(actor=self.as_admin, name=name, domains=[domain],
                                        tier=("gold" if i % 8 == 0 else "silver" if i % 3 == 0 else ""),
                                        vip=i % 8 == 0)
                self.count("organisations")
            self.orgs.append((org, domain))

    def customers(self) -> None:
        from frontdesk.customers.models import Contact, Identity
        from frontdesk.customers.services import contact_create, purchase_record

        rng = self.rng
        emails = [self._customer_email(i) for i in range(self.size.customers)]
        known = dict(Identity.objects.filter(kind="email", value__in=[e for e, *_ in emails])
                     .values_list("value", "contact_id"))
        contacts = {c.pk: c for c in Contact.objects.filter(pk__in=known.values())}
        self.contacts: list[Any] = []
        for i, (email, name, org) in enumerate(emails):
            n_purchases = rng.choice((0, 1, 1, 2, 3, 5))
            picks = [rng.choice(PRODUCTS) for _ in range(n_purchases)]
            days_ago = [rng.randint(1, 400) for _ in range(n_purchases)]
            if email in known:
                self.contacts.append(contacts[known[email]])
                continue
            with transaction.atomic():
                contact = contact_create(actor=self.as_admin, name=name, email=email,
                                         organisation=org, language="en", preferred_channel="email")
                for k, ((product, sku, price), ago) in enumerate(zip(picks, days_ago, strict=True)):
                    purchase_record(
                        actor=self.as_admin, contact=contact, product=product, sku=sku,
                        amount=price, currency="USD", purchased_at=self.now - timedelta(days=ago),
                        status="refunded" if k == 4 else "paid", external_id=f"demo-{i}-{k}",
                    )
                    self.count("purchases")
            self.count("contacts")
            self.contacts.append(contact)

    def _customer_email(self, i: int) -> tuple[str, str, Any]:
        first = FIRST_NAMES[(i * 11 + 3) % len(FIRST_NAMES)]
        last = LAST_NAMES[(i * 13 + i // len(FIRST_NAMES)) % len(LAST_NAMES)]
        local = f"{first}.{last}".lower().replace("á", "a")
        if i % 6 == 5 or not self.orgs:
            return f"{local}{i}@mail.example", f"{first} {last}", None
        org, domain = self.orgs[i % len(self.orgs)]
        email = f"{local}@{domain}" if i < len(FIRST_NAMES) * 2 else f"{local}{i}@{domain}"
        return email, f"{first} {last}", org

    def customer_account(self) -> None:
        """The demo customer who signs in to the portal, linked to their contact."""
        from frontdesk.customers.models import Contact
        from frontdesk.customers.services import contact_for_identity

        email = f"customer@{DEMO_DOMAIN}"
        user = self.user(email, "Casey Customer", "customer", DEMO_PASSWORD)
        contact = contact_for_identity(actor=self.actor, kind="email", value=email, name="Casey Customer")
        if contact.user_id is None:
            # No service links a sign-in to a contact yet (the portal's sign-up will); the demo does it here.
            Contact.objects.filter(pk=contact.pk, user__isnull=True).update(user=user)
            contact.user_id = user.pk
        self.contacts.insert(0, contact)

    # --- tickets -----------------------------------------------------------------------------

    def tickets(self) -> None:
        from frontdesk.tickets.models import Ticket

        done = set(
            Ticket.objects.filter(custom_fields__reference__startswith=REFERENCE_PREFIX)
            .values_list("custom_fields__reference", flat=True)
        )
        plans = []
        for i in range(self.size.tickets):
            plans.append(self._plan(i))  # drawn for every ticket so a rerun draws the same ones
        todo = [p for p in plans if p["reference"] not in done]
        for start in range(0, len(todo), BATCH):
            with transaction.atomic():
                for plan in todo[start : start + BATCH]:
                    self._play(plan)
            done_now = min(len(todo), start + BATCH)
            if done_now % 500 == 0 or done_now == len(todo):
                self.say(f"  tickets {done_now}/{len(todo)}\n")

    def _plan(self, i: int) -> dict[str, Any]:
        rng = self.rng
        sc: Scenario = SCENARIOS[rng.randrange(len(SCENARIOS))]
        contact = self.contacts[0] if i % 80 == 0 else self.contacts[rng.randrange(len(self.contacts))]
        age = self.size.days * (rng.random() ** 1.3)
        created = self.now - timedelta(days=age, minutes=rng.randint(0, 300))
        product, _, price = rng.choice(PRODUCTS)
        agents = self.team_agents[sc.team]
        agent = agents[rng.randrange(len(agents))]
        status = status_for_age(age, rng)
        steps = 0 if status == "new" else rng.choice((1, 2, 3, 3, 4, 5))
        note_at = rng.randrange(1, steps + 1) if steps and rng.random() < 0.3 else None
        gaps = [rng.randint(10, 60 * 20) for _ in range(steps + 1)]
        texts = [rng.randrange(1000) for _ in range(steps + 3)]
        return {
            "reference": f"{REFERENCE_PREFIX}{i + 1:05d}", "scenario": sc, "contact": contact,
            "created": created,
            "product": product, "price": price, "agent": agent, "status": status, "steps": steps,
            "note_at": note_at, "gaps": gaps, "texts": texts,
            "channel": rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0],
            "priority": rng.choices((1, 2, 3, 4), sc.priority_weights)[0],
            "tags": list(sc.tags[: 1 + rng.randrange(len(sc.tags))]) + (["vip"] if i % 50 == 0 else []),
        }

    def _play(self, p: dict[str, Any]) -> None:
        from frontdesk.core.actor import Actor
        from frontdesk.tickets.models import Ticket
        from frontdesk.tickets.services import message_add, ticket_create, ticket_update

        sc: Scenario = p["scenario"]
        contact, agent, texts = p["contact"], p["agent"], p["texts"]
        by_agent = Actor.of(agent)
        first_name = (contact.name or "there").split()[0]
        ctx = {"first": first_name, "agent": agent.name.split()[0], "product": p["product"],
               "order": f"#{p['reference'][5:]}", "amount": f"${p['price']}"}
        when = min(p["created"], self.now)
        ticket = ticket_create(
            actor=self.actor, requester=contact, subject=sc.subjects[texts[0] % len(sc.subjects)],
            body=sc.openings[texts[1] % len(sc.openings)].format(**ctx), channel=p["channel"],
            priority=p["priority"], type=sc.type, team=self.teams[sc.team],
            assignee=agent if p["status"] != "new" else None, tags=p["tags"],
            custom_fields={"plan": _plan_of(p["product"]), "reference": p["reference"]}, created_at=when,
        )
        self.count("tickets")
        last = p["steps"]
        for step in range(1, last + 1):
            when = min(self.now, when + timedelta(minutes=p["gaps"][step]))
            turn = texts[1] + (step - 1) // 2  # replies and follow-ups move on together
            pick = texts[step + 1]
            # the conversation's last message carries the ticket's final status ("submit as solved")
            final = p["status"] if step == last else None
            if step == p["note_at"]:
                message_add(actor=by_agent, ticket=ticket, kind="note",
                            body=sc.notes[pick % len(sc.notes)], created_at=when, set_status=final)
            elif step % 2 == 1:
                message_add(actor=by_agent, ticket=ticket, body=sc.replies[turn % len(sc.replies)]
                            .format(**ctx), created_at=when, set_status=final)
            else:
                message_add(actor=self.actor, ticket=ticket, author_contact=contact,
                            body=sc.follow_ups[turn % len(sc.follow_ups)].format(**ctx), channel=p["channel"],
                            created_at=when, set_status=final)
            self.count("messages")
        if last == 0 and p["status"] != "new":
            ticket = ticket_update(actor=by_agent, ticket=ticket, status=p["status"])
        # ticket_update and message_add stamp updated_at/solved_at with the wall clock; the demo's
        # history is in the past, so its timestamps are moved back to the conversation's last moment.
        solved = when if p["status"] in ("solved", "closed") else None
        Ticket.objects.filter(pk=ticket.pk).update(
            updated_at=when, solved_at=solved, closed_at=when if p["status"] == "closed" else None
        )


def _plan_of(product: str) -> str:
    for key in ("Starter", "Team", "Business"):
        if product.startswith(key):
            return key
    return "Services" if product.startswith("Onboarding") else "Hardware"




def load_demo(stdout: Any = None, *, tickets: int = 2000, customers: int = 300, organisations: int = 40,
              agents: int = 12, days: int = 90, seed: int = 42) -> str:
    """Create the demo organisation (what is missing of it); returns a one-line summary."""
    started = time.perf_counter()
    demo = Demo(DemoSize(tickets=tickets, customers=customers, organisations=organisations, agents=agents,
                         days=days), seed=seed, stdout=stdout)
    demo.say("Loading the demo organisation…\n")
    demo.people()
    demo.custom_fields()
    demo.organisations()
    demo.customers()
    demo.customer_account()
    demo.tickets()
    made = ", ".join(f"{n} {kind}" for kind, n in sorted(demo.created.items())) or "nothing new"
    return f"{made} ({time.perf_counter() - started:.1f}s)"


def retire_demo_sign_ins() -> int:
    """Deactivate the demo sign-ins (their password is printed in the README); how many were active.
    The last active administrator is kept: create your own first (`frontdesk createadmin`)."""
    from frontdesk.accounts.models import User
    from frontdesk.accounts.services import user_update
    from frontdesk.core.actor import Actor
    from frontdesk.ops.demo_accounts import DEMO_SIGN_INS

    retired = 0
    for user in User.objects.filter(email__in=[email for _, email, _ in DEMO_SIGN_INS], is_active=True):
        user_update(actor=Actor.system(), user=user, is_active=False)
        retired += 1
    return retired


__all__ = ["DemoSize", "load_demo", "retire_demo_sign_ins"]
