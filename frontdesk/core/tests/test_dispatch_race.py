from __future__ import annotations

import multiprocessing

import pytest
from django.db import connection
from django.utils import timezone

from frontdesk.core.actor import Actor
from frontdesk.core.events.models import HandlerRun, OutboxEvent
from frontdesk.core.tests.race_child import dispatch_in_child
from frontdesk.core.tests.race_support import RaceProbe
from frontdesk.fields.models import Tag
from frontdesk.testing.races import GATE, wait_until_queued


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_run_a_handler_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks between processes are tested on PostgreSQL (the SQLite pass has one writer)")
    # an event whose after-commit nudge was lost: two workers (the sweep and a retry) pick it up at once
    row = OutboxEvent.objects.create(
        name=RaceProbe.name, payload=RaceProbe(label="probe").model_dump(), actor=Actor.system().as_dict(),
        created_at=timezone.now(),
    )
    db = connection.settings_dict
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        # the handler waits on the test's advisory lock: the first worker runs it with its run record
        # not yet committed, and the lock is let go only once the second is queued too (on that record,
        # or on the lock if it got into the handler as well)
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", [GATE])
        try:
            workers = [pool.apply_async(dispatch_in_child, (url, row.pk)) for _ in range(2)]
            wait_until_queued(2, finished=lambda: sum(w.ready() for w in workers))
        finally:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", [GATE])
        results = [w.get(timeout=120) for w in workers]
    assert Tag.objects.filter(name__startswith="probe-").count() == 1, "the handler ran more than once"
    assert HandlerRun.objects.get(event_id=row.pk).status == "done"
    assert True in results
