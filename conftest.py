"""Test set-up shared by the whole suite.

The environment is prepared by frontdesk/testing/env.py (loaded with -p before
Django starts). The suite runs on SQLite by default; `make test` runs it a second
time with FRONTDESK_TEST_DATABASE_URL pointing at PostgreSQL (scripts/test.sh).
"""

from __future__ import annotations

import pytest

pytest_plugins = ["frontdesk.testing.fixtures", "frontdesk.testing.live"]


def pytest_report_header(config: pytest.Config) -> str:
    from django.conf import settings

    return f"frontdesk database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"


def _flushes_database(item: pytest.Item) -> bool:
    """Whether the test ran outside a rolled-back transaction: the database is emptied after it."""
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return bool(
        (marker is not None and marker.kwargs.get("transaction"))
        or {"transactional_db", "live_server", "django_db_reset_sequences"} & set(names)
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):  # type: ignore[no-untyped-def]
    """After a transactional test the database is emptied, with the rows the migrations seed (the
    built-in statuses, the default brand, the shared views) that every later test relies on. A
    serial run happens to put such tests last; pytest-xdist does not, so they are put back."""
    yield
    if nextitem is not None and _flushes_database(item):  # after the last test the test database is gone
        from django.apps import apps
        from pytest_django.plugin import blocking_manager_key

        from frontdesk.testing.seed import restore_seeded_rows

        with item.config.stash[blocking_manager_key].unblock():
            restore_seeded_rows(apps)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # type: ignore[no-untyped-def]
    """Tests that need PostgreSQL skip on the SQLite pass. When no PostgreSQL pass follows (none
    answered `make test`, or pytest was run on its own), say so once, at the end, where it is seen."""
    import os

    if os.environ.get("FRONTDESK_TEST_DATABASE_URL") or os.environ.get("FRONTDESK_TEST_POSTGRES_PASS") == "1":
        return
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "PostgreSQL" in str(r.longrepr)]
    if skipped:
        terminalreporter.write_sep(
            "!", f"{len(skipped)} tests that need PostgreSQL (races, row locks, the scaled shape) did not run", red=True
        )
        terminalreporter.write_line(
            "No PostgreSQL pass follows: start PostgreSQL on 127.0.0.1:5432 or set FRONTDESK_TEST_DATABASE_URL, "
            "then run `make test` again."
        )
