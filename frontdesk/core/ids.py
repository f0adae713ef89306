"""Identifier ranges. An id above 2^63-1 overflows SQLite and PostgreSQL bigint."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from frontdesk.core.errors import NotFound

MAX_ID = 2**63 - 1

ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]


def check_id(value: int, what: str = "Object") -> int:
    """Return a valid id or raise NotFound (an out-of-range id can name nothing)."""
    if not isinstance(value, int) or value < 1 or value > MAX_ID:
        raise NotFound(f"{what} not found.")
    return value
