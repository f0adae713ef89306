"""An event and a slow handler for the dispatcher race test (imported by both processes)."""

from __future__ import annotations

import os
import time
from typing import ClassVar

from frontdesk.core.events import Event, handler


class RaceProbe(Event):
    name: ClassVar[str] = "test.race_probe"
    label: str


@handler(RaceProbe)
def slow_side_effect(event: RaceProbe, meta) -> None:  # type: ignore[no-untyped-def]
    from frontdesk.fields.models import Tag

    time.sleep(0.4)  # widen the window in which a second worker could also run it
    Tag.objects.create(name=f"{event.label}-{os.getpid()}")
