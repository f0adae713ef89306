"""The workspace's own state: what an agent is writing on a ticket (a composer draft)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Draft(models.Model):
    """One agent's unsent reply or note on one ticket, saved as they type: it survives navigation,
    a reload and another device, and goes when it is sent. After a send the row stays with an
    empty body and the mode (``kind``) the agent chose, so the composer opens in that mode again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, default="public")  # MessageKind
    body = models.TextField(blank=True)  # the composer's HTML (sanitised when saved)
    to = models.TextField(blank=True)  # as typed: checked when sent
    cc = models.TextField(blank=True)
    bcc = models.TextField(blank=True)
    signature = models.TextField(null=True, blank=True)  # None: the agent's profile signature
    submit_as = models.CharField(max_length=40, blank=True)
    version = models.PositiveIntegerField(default=0)  # each save carries the one it read
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "ticket"], name="draft_one_per_agent_ticket")]

    @property
    def has_text(self) -> bool:
        return bool(self.body.strip() or self.to.strip() or self.cc.strip() or self.bcc.strip())
