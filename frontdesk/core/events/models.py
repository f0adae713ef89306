from __future__ import annotations

from django.db import models


class OutboxEvent(models.Model):
    """One recorded domain event, written in the same transaction as the change."""

    name = models.CharField(max_length=100)
    payload = models.JSONField()
    actor = models.JSONField()
    causation = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    depth = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()  # pending rows are found through outbox_pending_idx
    # Null until every after-commit handler has run; the sweep re-drives these.
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "core"
        indexes = [
            models.Index(
                fields=["created_at"], name="outbox_pending_idx", condition=models.Q(dispatched_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


class HandlerRun(models.Model):
    """That one after-commit handler ran (or failed) for one event: at most once each."""

    class Status(models.TextChoices):
        DONE = "done"
        FAILED = "failed"
        DEAD = "dead"  # gave up after the maximum attempts; an admin can retry

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="runs")
    handler = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "core"
        constraints = [models.UniqueConstraint(fields=["event", "handler"], name="handler_run_once")]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="handler_run_retry_idx", condition=models.Q(status="failed"))
        ]
