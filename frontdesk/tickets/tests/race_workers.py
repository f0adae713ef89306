"""Code run in separate processes by test_concurrency (spawned: a fresh interpreter each)."""

from __future__ import annotations

import os
from typing import Any


def _setup(database_url: str) -> None:
    os.environ["FRONTDESK_TEST_DATABASE_URL_ACTIVE"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdesk.settings")
    import django

    django.setup()


def run_in_child(database_url: str, action: str, kwargs: dict[str, Any], out: Any) -> None:
    """Run one service call and report the outcome. The test holds the rows' locks until every
    process is queued on them (frontdesk/testing/races.py): the calls meet, however slow the start."""
    _setup(database_url)
    from django.db import connection, transaction

    from frontdesk.accounts.models import User
    from frontdesk.core.actor import Actor
    from frontdesk.core.errors import FrontdeskError
    from frontdesk.tickets import services

    user = User.objects.get(pk=kwargs.pop("by_id"))
    call = {"update": services.ticket_update, "merge": services.tickets_merge}[action]
    try:
        with transaction.atomic():
            call(actor=Actor.of(user), **kwargs)
        out.put((kwargs.get("ticket") or kwargs.get("source"), "ok", ""))
    except FrontdeskError as exc:
        out.put((kwargs.get("ticket") or kwargs.get("source"), exc.code, exc.message))
    except Exception as exc:  # report anything else to the test instead of hanging it
        out.put((None, "crash", repr(exc)))
    finally:
        connection.close()
