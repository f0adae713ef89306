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
        if existing.status_code == 0:
            raise Conflict("A request with this Idempotency-Key is still being processed.") from None
        return existing.status_code, existing.response
    try:
        status, payload = fn()
    except Exception:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        raise
    IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=status, response=payload)
    return status, payload


def purge_expired() -> int:
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
