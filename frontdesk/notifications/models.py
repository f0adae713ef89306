"""In-app notifications: the bell in the workspace's top bar."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    MENTION = "mention", _("Mentioned you")
    ASSIGNED = "assigned", _("Assigned to you")
    CUSTOMER_REPLY = "customer_reply", _("Customer replied")


class Notification(models.Model):
    """Something on a ticket that one agent should see: they were mentioned in a note, the ticket
    was assigned to them by someone else, or its customer wrote on a ticket they own or follow.
    Read when they open the ticket (or mark it read)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+", db_index=False)
    message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    # who did it: an agent, or the customer who wrote; neither for the system or a rule (see actor_label)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    actor_contact = models.ForeignKey(
        "customers.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    actor_label = models.CharField(max_length=200, blank=True)
    # the outbox event it came from: one notification per (event, recipient) under redelivery
    event_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event_id", "recipient"], name="notification_once_per_event"),
        ]
        indexes = [
            # the bell's list: one person's latest
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_recipient_idx"),
            # the bell's count and "opening the ticket reads it": only unread rows are in this index
            models.Index(
                fields=["recipient", "ticket"], name="notification_unread_idx", condition=Q(read_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.ticket_id} for {self.recipient_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
