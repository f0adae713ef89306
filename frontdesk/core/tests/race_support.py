"""An event and a gated handler for the dispatcher race test (imported by both processes)."""

from __future__ import annotations

import os
from typing import ClassVar

from frontdesk.core.events import Event, handler


class RaceProbe(Event):
    name: ClassVar[str] = "test.race_probe"
    label: str


@handler(RaceProbe)
def gated_side_effect(event: RaceProbe, meta) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    from frontdesk.fields.models import Tag
    from frontdesk.testing.races import GATE

    if connection.vendor == "postgresql":
        # the test holds this lock until the other worker is queued too (on the run record, or
        # here if the dispatcher let it in as well): the handler runs while the other one tries
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock_shared(%s)", [GATE])
    Tag.objects.create(name=f"{event.label}-{os.getpid()}")
