"""Loaded with `-p frontdesk.testing.env` so it runs before pytest-django reads the settings:
a private var dir, synchronous background tasks, and the PostgreSQL URL when the suite runs there."""

from __future__ import annotations

import os
import tempfile

_tmp = tempfile.mkdtemp(prefix="frontdesk-test-")
if os.environ.get("PYTEST_XDIST_WORKER"):
    # A pytest-xdist worker inherits the controller's environment: it gets a var dir of its own
    # (the file cache, the task queue and uploaded files live there), never the controller's.
    os.environ["FRONTDESK_VAR_DIR"] = _tmp
    os.environ["FRONTDESK_MEDIA_ROOT"] = os.path.join(_tmp, "files")
os.environ.setdefault("FRONTDESK_VAR_DIR", _tmp)
os.environ.setdefault("FRONTDESK_MEDIA_ROOT", os.path.join(_tmp, "files"))
os.environ["FRONTDESK_HUEY_IMMEDIATE"] = "true"
os.environ.setdefault("FRONTDESK_TEST_FAST_HASHER", "true")
os.environ.setdefault("FRONTDESK_API_RATE_LIMIT_PER_MINUTE", "100000")
if os.environ.get("FRONTDESK_TEST_DATABASE_URL"):
    os.environ["FRONTDESK_TEST_DATABASE_URL_ACTIVE"] = os.environ["FRONTDESK_TEST_DATABASE_URL"]
