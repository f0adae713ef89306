"""Core infrastructure models (no domain models live here)."""

from frontdesk.core.events.models import HandlerRun, OutboxEvent
from frontdesk.core.idempotency import IdempotencyRecord
from frontdesk.core.jobs.models import JobRun

__all__ = ["HandlerRun", "IdempotencyRecord", "JobRun", "OutboxEvent"]
