"""Core infrastructure models (no domain models live here)."""

from frontdesk.core.events.models import HandlerRun, OutboxEvent
from frontdesk.core.idempotency import IdempotencyRecord

__all__ = ["HandlerRun", "IdempotencyRecord", "OutboxEvent"]
