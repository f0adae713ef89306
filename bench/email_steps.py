"""Steps of `frontdesk bench email` that run inside Django (see bench/email.py, which runs them).

email-setup   the mailbox, organisations with domains, known customers and the tickets replies
              will thread onto (each with a Message-ID we "sent"); writes the facts to a JSON file
email-ingest  one worker: its share of a corpus through the whole pipeline (store the raw
              message, then process it; with --batched, store each, then process them in
              batches of 100, as the receivers' intake does), timed from a shared start signal
email-raw     the raw-SQL reference: the same rows for the same corpus, with plain SQL
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.email_corpus import Mail, Thread, generate

MAILBOX = "support@bench.test"


def step_email_setup(args: argparse.Namespace) -> dict[str, Any]:
    from frontdesk.brands.services import default_brand
    from frontdesk.channels.email.models import EmailReference, Mailbox
    from frontdesk.channels.email.tokens import reply_address
    from frontdesk.core.actor import Actor
    from frontdesk.customers.models import Organisation, OrganisationDomain
    from frontdesk.customers.services import contact_for_identity
    from frontdesk.ops.demo_scenarios import FIRST_NAMES, LAST_NAMES, SCENARIOS
    from frontdesk.tickets.services import ticket_create

    actor = Actor.system("bench")
    mailbox = Mailbox.objects.create(
        name="Bench support", address=MAILBOX, brand=default_brand(), auto_acknowledge=False
    )
    domains = []
    for k in range(20):
        org = Organisation.objects.create(name=f"Bench Org {k}")
        OrganisationDomain.objects.create(organisation=org, domain=f"org{k}.bench.test")
        domains.append(f"org{k}.bench.test")
    known = []
    for k in range(args.known):
        name = f"{FIRST_NAMES[k % len(FIRST_NAMES)]} {LAST_NAMES[(k // 7) % len(LAST_NAMES)]}"
        address = f"customer{k}@{domains[k % len(domains)] if k % 3 else 'home.bench.test'}"
        contact = contact_for_identity(actor=actor, kind="email", value=address, name=name)
        known.append((contact.pk, address, name))
    threads = []
    for k in range(args.threads):
        contact_id, address, _ = known[k]
        sc = SCENARIOS[k % len(SCENARIOS)]
        subject = sc.subjects[0]
        ticket = ticket_create(
            actor=actor, requester=contact_id, subject=subject, body="Hello, I need help.",
            channel="email", brand=mailbox.brand_id,
        )
        sent_id = f"fd.bench.{k}@bench.test"
        EmailReference.objects.create(header_id=sent_id, ticket=ticket, outgoing=True)
        threads.append({"ticket_id": ticket.pk, "contact_id": contact_id, "address": address,
                        "sent_id": sent_id, "subject": subject})
    facts = {
        "mailbox_id": mailbox.pk,
        "known": known[args.threads:],  # thread requesters only reply, so no one sends a burst
        "threads": threads,
        "domains": domains,
        "token_for": {str(t["ticket_id"]): reply_address(MAILBOX, t["ticket_id"]) for t in threads},
    }
    Path(args.setup).write_text(json.dumps(facts))
    from django.db import connection

    with connection.cursor() as cursor:  # planner statistics for the tables just filled
        cursor.execute("ANALYZE")
    return {"known": len(facts["known"]), "threads": len(threads)}


def corpus(args: argparse.Namespace) -> list[Mail]:
    facts = json.loads(Path(args.setup).read_text())
    return generate(
        args.count,
        seed=args.seed + sum(map(ord, args.part)),
        tag=args.part,
        mailbox_address=MAILBOX,
        known=[tuple(k) for k in facts["known"]],  # type: ignore[misc]
        threads=[Thread(**t) for t in facts["threads"]],
        domains=facts["domains"],
        token_for={int(k): v for k, v in facts["token_for"].items()},
    )


def _wait_for(go: str) -> None:
    while not Path(go).exists():
        time.sleep(0.005)


def step_email_ingest(args: argparse.Namespace) -> dict[str, Any]:
    """This worker's share of the corpus (every shards-th message) through the pipeline."""
    from django.db import connection

    from frontdesk.channels.email.inbound import process_inbound, receive_raw
    from frontdesk.channels.email.models import Mailbox

    mails = corpus(args)[args.shard :: args.shards]
    mailbox = Mailbox.objects.get(address=MAILBOX)
    connection.ensure_connection()
    Path(args.ready).write_text("ready")
    _wait_for(args.go)
    statuses: Counter[str] = Counter()
    start = time.time()
    if args.batched:  # stored one by one (each committed, as a receiver acknowledges), processed in batches
        from frontdesk.channels.email.inbound import process_all

        ids = [receive_raw(mailbox=mailbox, raw=mail.raw, source="bench").pk for mail in mails]
        statuses.update(row.status for row in process_all(ids))
    else:
        for mail in mails:
            row = process_inbound(receive_raw(mailbox=mailbox, raw=mail.raw, source="bench").pk)
            statuses[row.status] += 1
    end = time.time()
    connection.close()
    return {"count": len(mails), "start": start, "end": end, "statuses": dict(statuses)}


def step_email_raw(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection

    from bench.email_raw import RawEmailWriter

    mails = corpus(args)
    facts = json.loads(Path(args.setup).read_text())
    writer = RawEmailWriter(facts)
    start = time.perf_counter()
    for mail in mails:
        writer.write(mail)
    seconds = time.perf_counter() - start
    connection.close()
    return {"count": len(mails), "seconds": seconds}


STEPS = {"email-setup": step_email_setup, "email-ingest": step_email_ingest, "email-raw": step_email_raw}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--setup", default="")
    parser.add_argument("--batched", action="store_true")
    parser.add_argument("--part", default="a")
    parser.add_argument("--shard", type=int, default=0)
    parser.add_argument("--shards", type=int, default=1)
    parser.add_argument("--ready", default="")
    parser.add_argument("--go", default="")
    parser.add_argument("--known", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=500)
