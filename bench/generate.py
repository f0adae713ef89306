"""Generate a benchmark dataset with bulk paths (COPY / executemany), millions of rows in minutes.

Organisations with email domains, contacts with email identities and purchases, N tickets with
about four messages each drawn from the demo scenarios, tags, counters, and the search index
filled in bulk SQL. A word is planted in exactly 0.1% of tickets and one "busy" contact gets
many tickets, messages and purchases, for the search and 360 measurements.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from bench import bulk, index
from bench.bulk import Table, ts
from frontdesk.core.actor import Actor
from frontdesk.customers.search import index_text
from frontdesk.ops.demo_scenarios import (
    COMPANY_SUFFIXES,
    COMPANY_WORDS,
    FIRST_NAMES,
    LAST_NAMES,
    PRODUCTS,
    SCENARIOS,
    TEAMS,
    status_for_age,
)

PLANTED_WORD = "zephyrquokka"
PLANTED_EVERY = 1000  # exactly 0.1% of tickets
BUSY_EVERY = 500  # the busy contact requests 0.2% of tickets
CHUNK = 20_000
CHANNELS = (("email", 45), ("chat", 20), ("web", 15), ("phone", 8), ("api", 5), ("whatsapp", 5), ("sms", 2))


def log(msg: str) -> None:
    sys.stderr.write(f"[bench] {msg}\n")
    sys.stderr.flush()


def _weighted(options: tuple[tuple[str, int], ...]) -> tuple[list[str], list[int]]:
    return [o for o, _ in options], [w for _, w in options]


def setup_people(n_agents: int = 12) -> dict[str, Any]:
    """An admin, agents in three teams (through the account services), and tags."""
    from frontdesk.accounts.models import Team, User
    from frontdesk.accounts.services import team_save, user_create
    from frontdesk.core.actor import SYSTEM
    from frontdesk.fields.models import Tag

    admin = User.objects.filter(email="bench-admin@bench.test").first() or user_create(
        actor=SYSTEM, email="bench-admin@bench.test", name="Bench Admin", role="admin"
    )
    agents = list(User.objects.filter(email__endswith="@agents.bench.test").order_by("id"))
    for i in range(len(agents), n_agents):
        agents.append(
            user_create(
                actor=SYSTEM,
                email=f"agent{i}@agents.bench.test",
                name=f"{FIRST_NAMES[i]} {LAST_NAMES[i]}",
                role="agent",
            )
        )
    teams: dict[str, list[int]] = {}
    for t, name in enumerate(TEAMS):
        members = [a.pk for i, a in enumerate(agents) if i % len(TEAMS) == t]
        team = Team.objects.filter(name=name).first()
        team = team_save(actor=Actor.of(admin), team=team, name=name, member_ids=members)
        teams[name] = [team.pk, *members]
    tag_names = sorted({t for s in SCENARIOS for t in s.tags} | {"vip", "follow-up"})
    for name in tag_names:
        Tag.objects.get_or_create(name=name)
    tags = dict(Tag.objects.filter(name__in=tag_names).values_list("name", "id"))
    return {"admin": admin, "agents": agents, "teams": teams, "tags": tags}


def _org_rows(n_orgs: int, rng: random.Random, now: Any) -> tuple[list[tuple], list[tuple], list[str]]:
    from frontdesk.customers.models import Organisation

    first = bulk.next_id(Organisation)
    orgs, domains, names = [], [], []
    for i in range(n_orgs):
        word = COMPANY_WORDS[i % len(COMPANY_WORDS)]
        suffix = COMPANY_SUFFIXES[(i // len(COMPANY_WORDS)) % len(COMPANY_SUFFIXES)]
        name = f"{word} {suffix} {i + 1}"
        domain = f"{word.lower()}-{suffix.lower()}-{i + 1}.example.com"
        created = ts(now - timedelta(days=rng.randint(100, 900)))
        tier = rng.choice(("", "", "silver", "gold"))
        orgs.append((first + i, name, tier, i % 25 == 0, created, created))
        domains.append((first + i, domain))
        names.append(domain)
    return orgs, domains, names


def generate(n_tickets: int, *, seed: int = 1, days: int = 365) -> dict[str, Any]:
    """Fill the current database; returns facts the measurements need (ids, counts, the planted word)."""
    from frontdesk.brands.services import default_brand
    from frontdesk.customers.models import Contact, Identity, Organisation, OrganisationDomain, Purchase
    from frontdesk.tickets.models import Message, Ticket

    t0 = time.perf_counter()
    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    people = setup_people()
    brand_id = default_brand().pk
    team_ids = {name: ids[0] for name, ids in people["teams"].items()}
    team_agents = {name: ids[1:] for name, ids in people["teams"].items()}
    tag_ids = people["tags"]
    bulk.fast_load_session()

    # organisations and domains
    n_orgs = max(5, n_tickets // 50)
    org_t = Table(Organisation, ["id", "name", "tier", "vip", "created_at", "updated_at"])
    org_rows, dom_pairs, domains = _org_rows(n_orgs, rng, now)
    dom_first = bulk.next_id(OrganisationDomain)
    with transaction.atomic():
        org_t.write(org_rows)
        dom_t = Table(OrganisationDomain, ["id", "organisation_id", "domain"])
        dom_t.write(
            (dom_first + i, oid, d) for i, ((oid, _), d) in enumerate(zip(dom_pairs, domains, strict=True))
        )
    org_ids = [r[0] for r in org_rows]
    log(f"{n_orgs} organisations")

    # contacts, email identities, purchases (counters computed as we go)
    n_contacts = max(50, n_tickets // 4)
    c_first = bulk.next_id(Contact)
    i_first = bulk.next_id(Identity)
    p_next = bulk.next_id(Purchase)
    contact_t = Table(
        Contact,
        [
            "id",
            "name",
            "organisation_id",
            "primary_email",
            "language",
            "preferred_channel",
            "vip",
            "tier",
            "custom_fields",
            "lifetime_value",
            "purchase_count",
            "created_at",
            "updated_at",
        ],
        skip=["search_vector"],
    )
    org_names = {r[0]: r[1] for r in org_rows}
    ident_t = Table(
        Identity, ["id", "contact_id", "kind", "value", "is_primary", "undeliverable", "created_at"]
    )
    purchase_t = Table(
        Purchase,
        [
            "id",
            "contact_id",
            "external_id",
            "product",
            "sku",
            "amount",
            "currency",
            "purchased_at",
            "status",
            "created_at",
        ],
    )
    contact_names: list[str] = []
    contact_orgs: list[int | None] = []
    for start in range(0, n_contacts, CHUNK):
        contacts, idents, purchases, texts = [], [], [], []
        for i in range(start, min(n_contacts, start + CHUNK)):
            cid = c_first + i
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            org_index = rng.randrange(n_orgs) if rng.random() < 0.8 else None
            domain = domains[org_index] if org_index is not None else "mail.example.net"
            email = f"{first.lower()}.{last.lower()}.{i}@{domain}".replace("á", "a").replace("ó", "o")
            created = now - timedelta(days=rng.randint(95, 800))
            n_purchases = 400 if i == 0 else rng.choice((0, 1, 1, 2, 3))
            total = Decimal("0")
            for _ in range(n_purchases):
                product, sku, price = rng.choice(PRODUCTS)
                amount = Decimal(price)
                total += amount
                when = ts(created + timedelta(days=rng.randint(0, 90)))
                purchases.append(
                    (p_next, cid, f"bench-{p_next}", product, sku, str(amount), "USD", when, "paid", when)
                )
                p_next += 1
            org_id = org_ids[org_index] if org_index is not None else None
            contacts.append(
                (
                    cid,
                    f"{first} {last}",
                    org_id,
                    email,
                    "en",
                    "email",
                    i % 40 == 0,
                    "",
                    "{}",
                    str(total),
                    n_purchases,
                    ts(created),
                    ts(created),
                )
            )
            idents.append((i_first + i, cid, "email", email, True, False, ts(created)))
            texts.append(
                (index_text(f"{first} {last}"), index_text(email), index_text(org_names.get(org_id)))
            )
            contact_names.append(first)
            contact_orgs.append(org_id)
        with transaction.atomic():
            index.write_contacts(contact_t, contacts, texts)
            ident_t.write(idents)
            purchase_t.write(purchases)
    log(f"{n_contacts} contacts with identities and purchases ({time.perf_counter() - t0:.0f}s)")

    # tickets, messages, tags
    t_first = bulk.next_id(Ticket)
    m_next = bulk.next_id(Message)
    tt_first = _next_m2m_id(Ticket.tags.through)
    ticket_t = Table(
        Ticket,
        [
            "id",
            "brand_id",
            "subject",
            "status",
            "status_category",
            "priority",
            "type",
            "channel",
            "team_id",
            "assignee_id",
            "requester_id",
            "organisation_id",
            "custom_fields",
            "created_at",
            "updated_at",
            "solved_at",
            "closed_at",
            "first_response_at",
            "message_count",
            "last_message_at",
        ],
        skip=["search_vector"],
    )
    msg_t = Table(
        Message,
        ["id", "ticket_id", "kind", "author_user_id", "author_contact_id", "channel", "body", "created_at"],
    )
    tag_t = Table(Ticket.tags.through, ["id", "ticket_id", "tag_id"])
    ch_opts, ch_weights = _weighted(CHANNELS)
    messages_total = 0
    tt_next = tt_first
    for start in range(0, n_tickets, CHUNK):
        tickets, msgs, ttags, texts = [], [], [], []
        for i in range(start, min(n_tickets, start + CHUNK)):
            tid = t_first + i
            sc = SCENARIOS[rng.randrange(len(SCENARIOS))]
            c_index = 0 if i % BUSY_EVERY == 3 else rng.randrange(n_contacts)
            cid = c_first + c_index
            age_days = days * (rng.random() ** 1.6)
            created = now - timedelta(days=age_days, minutes=rng.randint(0, 600))
            status = status_for_age(age_days, rng)
            channel = rng.choices(ch_opts, ch_weights)[0]
            priority = rng.choices((1, 2, 3, 4), sc.priority_weights)[0]
            agents = team_agents[sc.team]
            agent = agents[rng.randrange(len(agents))] if status != "new" else None
            product, _, price = rng.choice(PRODUCTS)
            ctx = {
                "first": contact_names[c_index],
                "agent": "Alex",
                "product": product,
                "order": f"#{100000 + i}",
                "amount": f"${price}",
            }
            subject = rng.choice(sc.subjects)
            n_msgs = 1 if status == "new" else rng.choice((2, 3, 4, 4, 5, 6))
            when = created
            first_response = None
            public, notes = [], []
            for k in range(n_msgs):
                if k == 0:
                    body = rng.choice(sc.openings).format(**ctx)
                    if i % PLANTED_EVERY == 7:
                        body += f" Reference: {PLANTED_WORD}."
                    row = (m_next, tid, "public", None, cid, channel, body, ts(when))
                elif k % 2 == 1:
                    if k == 3 and rng.random() < 0.25:
                        body = rng.choice(sc.notes)
                        row = (m_next, tid, "note", agent, None, channel, body, ts(when))
                    else:
                        body = rng.choice(sc.replies).format(**ctx)
                        row = (m_next, tid, "public", agent, None, channel, body, ts(when))
                        first_response = first_response or when
                else:
                    body = rng.choice(sc.follow_ups).format(**ctx)
                    row = (m_next, tid, "public", None, cid, channel, body, ts(when))
                msgs.append(row)
                (notes if row[2] == "note" else public).append(index_text(body))
                m_next += 1
                when = min(now, when + timedelta(minutes=rng.randint(5, 60 * 30)))
            last = when
            category = status
            solved_at = ts(last) if category in ("solved", "closed") else None
            closed_at = ts(last) if category == "closed" else None
            fields = f'{{"plan": "{product.split(" (")[0]}", "order_number": "{100000 + i}"}}'
            tickets.append(
                (
                    tid,
                    brand_id,
                    subject,
                    status,
                    category,
                    priority,
                    sc.type,
                    channel,
                    team_ids[sc.team],
                    agent,
                    cid,
                    contact_orgs[c_index],
                    fields,
                    ts(created),
                    ts(last),
                    solved_at,
                    closed_at,
                    ts(first_response) if first_response else None,
                    n_msgs,
                    ts(last),
                )
            )
            texts.append((index_text(subject), " ".join(public), " ".join(notes)))
            for name in sc.tags[: rng.choice((1, 2, 2))]:
                ttags.append((tt_next, tid, tag_ids[name]))
                tt_next += 1
        with transaction.atomic():
            index.write_tickets(ticket_t, tickets, texts)
            messages_total += msg_t.write(msgs)
            tag_t.write(ttags)
        log(f"tickets {min(n_tickets, start + CHUNK)}/{n_tickets} ({time.perf_counter() - t0:.0f}s)")
    bulk.end_fast_load_session()
    bulk.reset_sequences(
        [
            Organisation._meta.db_table,
            OrganisationDomain._meta.db_table,
            Contact._meta.db_table,
            Identity._meta.db_table,
            Purchase._meta.db_table,
            Ticket._meta.db_table,
            Message._meta.db_table,
            Ticket.tags.through._meta.db_table,
        ]
    )
    _analyze()
    return {
        "tickets": n_tickets,
        "messages": messages_total,
        "contacts": n_contacts,
        "organisations": n_orgs,
        "first_ticket_id": t_first,
        "last_ticket_id": t_first + n_tickets - 1,
        "busy_contact_id": c_first,
        "planted_word": PLANTED_WORD,
        "planted_tickets": sum(1 for i in range(n_tickets) if i % PLANTED_EVERY == 7),
        "admin_id": people["admin"].pk,
        "agent_ids": [a.pk for a in people["agents"]],
        "team_ids": team_ids,
    }




def _next_m2m_id(through: Any) -> int:
    return bulk.next_id(through)


def _analyze() -> None:
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
