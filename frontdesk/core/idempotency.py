"""Idempotency-Key support for creates: a retried request replays the first answer."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from frontdesk.core.errors import Conflict, ValidationError


class IdempotencyRecord(models.Model):
    owner = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)  # 0 while the first request runs
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        app_label = "core"
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotency_once")]


def run_idempotent(
    *, owner: str, key: str | None, method: str, path: str, body: bytes, fn: Callable[[], tuple[int, Any]]
) -> tuple[int, Any]:
    """Run ``fn`` (returning status and JSON body) once per (owner, key)."""
    if not key:
        return fn()
    if len(key) > 255:
        raise ValidationError("Idempotency-Key is longer than 255 characters.", fields={"Idempotency-Key": "too long"})
    digest = hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()
    # One transaction for the record, the work and its answer: either all of it is stored or none.
    # (Separately, a database lost after the work committed but before the answer was written left
    # the key "being processed" for a day, and a retry could never learn the outcome.) A concurrent
    # request with the same key waits on the record's unique index, then replays this answer.
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    owner=owner, key=key, method=method, path=path, request_hash=digest
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.get(owner=owner, key=key)
            if existing.request_hash != digest:
                raise ValidationError(
                    "This Idempotency-Key was used with a different request.",
                    fields={"Idempotency-Key": "reused with another request"},
                ) from None
            if existing.status_code == 0:  # written by an older release, whose request never finished
                raise Conflict("A request with this Idempotency-Key did not finish; retry with a new key.") from None
            return existing.status_code, existing.response
        status, payload = fn()
        IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=status, response=payload)
    return status, payload


def purge_expired() -> int:
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
