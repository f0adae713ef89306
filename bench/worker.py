"""Benchmark steps that run inside Django, against the database the environment names.

`python -m bench.worker <step> [options]` prints one JSON object on stdout (logs on stderr).
Steps: generate, create, http-setup, and the email steps of bench/email_steps.py.
bench/core.py and bench/email.py run them with the bench environment.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import timedelta
from typing import Any

from bench import email_steps
from frontdesk.core.actor import Actor


def step_generate(args: argparse.Namespace) -> dict[str, Any]:
    from bench.generate import generate

    return generate(args.tickets, seed=args.seed)


def _bench_agent() -> Any:
    from frontdesk.accounts.models import User

    return User.objects.filter(email__endswith="@agents.bench.test", is_active=True).order_by("id").first()


def step_create(args: argparse.Namespace) -> dict[str, Any]:
    """Ticket creation through ticket_create, interleaved in rounds with the raw-SQL reference."""
    from django.db import connection
    from django.utils import timezone

    from bench.raw import RawCreator
    from frontdesk.brands.services import default_brand
    from frontdesk.core.actor import Actor
    from frontdesk.customers.models import Contact
    from frontdesk.ops.demo_scenarios import SCENARIOS
    from frontdesk.tickets.services import ticket_create

    rng = random.Random(args.seed)
    agent = _bench_agent()
    actor = Actor.of(agent)
    contacts = list(Contact.objects.order_by("id").values_list("id", "organisation_id")[:2000])
    raw = RawCreator(default_brand().pk)
    inputs = []
    for i in range(args.count):
        sc = SCENARIOS[i % len(SCENARIOS)]
        cid, org = contacts[rng.randrange(len(contacts))]
        body = sc.openings[0].format(
            first="Sam", agent="", product="Team plan", order=f"#{i}", amount="$99.00"
        )
        inputs.append((cid, org, sc.subjects[i % len(sc.subjects)], body))
    service_s = raw_s = 0.0
    rounds = max(1, args.count // 50)
    per_round = max(1, args.count // rounds)
    done = 0
    now = timezone.now()
    for r in range(rounds):
        batch = inputs[r * per_round : (r + 1) * per_round]
        start = time.perf_counter()
        for cid, _, subject, body in batch:
            ticket_create(actor=actor, requester=cid, subject=subject, body=body, channel="api")
        service_s += time.perf_counter() - start
        start = time.perf_counter()
        for k, (cid, org, subject, body) in enumerate(batch):
            raw.create(
                requester_id=cid,
                organisation_id=org,
                subject=subject,
                body=body,
                when=now + timedelta(microseconds=k),
            )
        raw_s += time.perf_counter() - start
        done += len(batch)
    connection.close()
    create_per_s = done / service_s
    raw_per_s = done / raw_s
    return {
        "create_count": done,
        "create_per_s": round(create_per_s, 1),
        "create_raw_per_s": round(raw_per_s, 1),
        "create_ratio_to_raw": round(create_per_s / raw_per_s, 3),
    }


def step_http_setup(args: argparse.Namespace) -> dict[str, Any]:
    """An agent token, the view to page through, and ticket ids for the detail requests."""
    from frontdesk.accounts.services import token_create
    from frontdesk.core.actor import SYSTEM
    from frontdesk.tickets.models import Ticket, View

    agent = _bench_agent()
    _, secret = token_create(actor=SYSTEM, user=agent, name="bench")
    name = "Bench: all unresolved"
    view = View.objects.filter(name=name, owner__isnull=True).first()
    if view is None:
        view = _create_view(agent, name)
    first = Ticket.objects.order_by("id").values_list("id", flat=True).first() or 1
    last = Ticket.objects.order_by("-id").values_list("id", flat=True).first() or 1
    rng = random.Random(args.seed)
    from django.conf import settings
    from django.test import Client

    browser = Client()
    browser.force_login(agent)  # a real session row, as the sign-in page would create
    return {
        "token": secret,
        "session": browser.cookies[settings.SESSION_COOKIE_NAME].value,
        "view_id": view.pk,
        "sample_ticket_ids": [rng.randint(first, last) for _ in range(500)],
    }


def _create_view(agent: Any, name: str) -> Any:
    from frontdesk.accounts.models import User
    from frontdesk.tickets.services import view_create

    admin = User.objects.filter(role="admin", is_active=True).order_by("id").first()
    filters = {"status_category": ["new", "open", "pending", "on_hold"]}
    return view_create(actor=Actor.of(admin), name=name, filters=filters, sort="-updated_at", shared=True)


STEPS = {"generate": step_generate, "create": step_create, "http-setup": step_http_setup, **email_steps.STEPS}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.worker")
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    email_steps.add_arguments(parser)
    args = parser.parse_args(argv)
    import django

    django.setup()
    result = STEPS[args.step](args)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
