"""Channels call contact_for_identity concurrently; a new address must end as one contact."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from frontdesk.customers import services
from frontdesk.customers.models import Contact, Identity
from frontdesk.customers.tests.factories import SYSTEM


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_contacts_make_one_contact() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL (SQLite serialises writers)")
    workers = 8
    barrier = threading.Barrier(workers)
    results: list[int] = []
    failures: list[BaseException] = []

    def call() -> None:
        try:
            barrier.wait(timeout=10)
            contact = services.contact_for_identity(actor=SYSTEM, kind="email", value="Rush@Example.com")
            results.append(contact.pk)
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert failures == []
    assert len(results) == workers and len(set(results)) == 1
    assert Identity.objects.filter(kind="email", value="rush@example.com").count() == 1
    assert Contact.objects.count() == 1
