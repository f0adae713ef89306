"""An Idempotency-Key's record, the work it guards and its answer are stored together or not at all."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from frontdesk.core.idempotency import IdempotencyRecord, run_idempotent
from frontdesk.fields.models import Tag

pytestmark = pytest.mark.django_db(transaction=True)


def _run(fn):  # type: ignore[no-untyped-def]
    return run_idempotent(owner="token:1", key="k-1", method="POST", path="/api/v1/tags", body=b"{}", fn=fn)


def test_work_that_fails_part_way_leaves_nothing_behind_and_the_key_free() -> None:
    def create_then_lose_the_database() -> tuple[int, dict]:
        Tag.objects.create(name="half-done")
        raise OperationalError("server closed the connection unexpectedly")

    with pytest.raises(OperationalError):
        _run(create_then_lose_the_database)
    assert not Tag.objects.filter(name="half-done").exists(), "no half of a request is kept"
    assert not IdempotencyRecord.objects.exists(), "the key is not left 'being processed'"

    def create() -> tuple[int, dict]:
        tag = Tag.objects.create(name="done")
        return 201, {"id": tag.pk}

    first = _run(create)
    assert _run(create) == first, "the retry replays the stored answer"
    assert Tag.objects.filter(name="done").count() == 1
