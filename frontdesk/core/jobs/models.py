from __future__ import annotations

from django.db import models


class JobRun(models.Model):
    """One periodic job: who holds it now (a lease a crashed worker cannot keep) and how its last
    run went. One row per job, updated in place."""

    name = models.CharField(max_length=200, primary_key=True)  # the Huey task name
    holder = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    runs = models.PositiveIntegerField(default=0)
    last_result = models.CharField(max_length=200, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        app_label = "core"

    def __str__(self) -> str:
        return self.name
