"""Finding the real servers tests need: Redis (and PostgreSQL through the database settings)."""

from __future__ import annotations

import os

import pytest


def redis_url() -> str:
    """The Redis the suite may use, or skip (fail under CI, where Redis is required)."""
    url = os.environ.get("FRONTDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI: Redis at {url} is required and does not answer ({exc})")
        pytest.skip(f"Redis at {url} does not answer; set FRONTDESK_TEST_REDIS_URL")
    return url
