"""Entry point of a spawned worker process: imports nothing from Django before setup()."""

from __future__ import annotations

import os


def dispatch_in_child(database_url: str, event_id: int) -> bool:
    os.environ["FRONTDESK_TEST_DATABASE_URL_ACTIVE"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdesk.settings")
    import django

    django.setup()
    import frontdesk.core.tests.race_support  # noqa: F401  (registers the handler)
    from frontdesk.core.events import dispatcher

    return dispatcher.dispatch(event_id)
