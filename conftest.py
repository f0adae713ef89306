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
