from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frontdesk.core import channels
from frontdesk.core.updates import update


class StatusCategory(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    ON_HOLD = "on_hold", _("On hold")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


UNRESOLVED = (StatusCategory.NEW, StatusCategory.OPEN, StatusCategory.PENDING, StatusCategory.ON_HOLD)


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class TicketType(models.TextChoices):
    QUESTION = "question", _("Question")
    INCIDENT = "incident", _("Incident")
    PROBLEM = "problem", _("Problem")
    TASK = "task", _("Task")


class TicketStatus(models.Model):
    """A status agents pick. The six built-ins are their own category; admins add more."""

    key = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=60)
    category = models.CharField(max_length=10, choices=StatusCategory.choices)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    builtin = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "ticket statuses"

    def __str__(self) -> str:
        return self.label


class TicketQuerySet(models.QuerySet["Ticket"]):
    def update(self, **kwargs: Any) -> int:
        """A bulk UPDATE is a write too: it bumps each row's ``version`` (docs/decisions/0007)."""
        if kwargs and "version" not in kwargs and set(kwargs) != {"search_vector"}:
            kwargs["version"] = models.F("version") + 1
        return super().update(**kwargs)


class TicketManager(models.Manager["Ticket"]):
    """Tickets are read without their search vector: it grows with every message, only the search
    SQL reads it, and a save() of a ticket read without it never writes a stale copy back."""

    def get_queryset(self) -> models.QuerySet[Ticket]:
        return TicketQuerySet(self.model, using=self._db).defer("search_vector")


class Ticket(models.Model):
    """A case. Its number is its id."""

    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="tickets", db_index=False)
    subject = models.CharField(max_length=300)
    status = models.CharField(max_length=40, default=StatusCategory.NEW)
    status_category = models.CharField(max_length=10, choices=StatusCategory.choices, default=StatusCategory.NEW)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    type = models.CharField(max_length=10, choices=TicketType.choices, default=TicketType.QUESTION)
    channel = models.CharField(max_length=20, choices=channels.choices, default=channels.WEB)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        db_index=False,
    )
    requester = models.ForeignKey("customers.Contact", on_delete=models.PROTECT, related_name="tickets", db_index=False)
    organisation = models.ForeignKey(
        "customers.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        db_index=False,
    )
    followers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="followed_tickets")
    ccs = models.ManyToManyField("customers.Contact", blank=True, related_name="cc_tickets")
    tags = models.ManyToManyField("fields.Tag", blank=True, related_name="tickets")
    custom_fields = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    message_count = models.PositiveIntegerField(default=0)
    last_message_at = models.DateTimeField(null=True, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    # bumped by every write (save() and QuerySet.update() below): the API's ETag (docs/decisions/0007)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = TicketManager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["status_category", "-updated_at", "-id"], name="ticket_cat_updated_idx"),
            models.Index(fields=["status_category", "-created_at", "-id"], name="ticket_cat_created_idx"),
            models.Index(fields=["assignee", "status_category", "-updated_at"], name="ticket_assignee_idx"),
            models.Index(fields=["team", "status_category", "-updated_at"], name="ticket_team_idx"),
            # INCLUDE (PostgreSQL) lets the 360 view count a contact's tickets per channel from the index alone
            models.Index(
                fields=["requester", "-updated_at", "-id"],
                name="ticket_requester_updated_idx",
                include=["channel", "status_category"],
            ),
            models.Index(fields=["organisation", "-created_at"], name="ticket_org_idx"),
            models.Index(fields=["-updated_at", "-id"], name="ticket_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Every write of an existing ticket bumps ``version``, whichever service makes it. Writers
        hold the row lock (``lock_ticket``), so the in-memory value is the stored one."""
        if not self._state.adding and self.pk is not None:
            self.version += 1
            fields = kwargs.get("update_fields")
            if fields is not None:
                kwargs["update_fields"] = [*fields, "version"]
        super().save(*args, **kwargs)

    def save_fields(self, fields: list[str], *, sql: dict[str, tuple[str, list[Any]]] | None = None) -> None:
        """``save(update_fields=fields)`` on a hot path: the version bumped as ``save`` does, in one
        UPDATE compiled once, which ``sql`` may extend with column expressions (the search entry)."""
        self.version += 1
        update(self, [*fields, "version"], sql=sql, own_save=True)

    @property
    def number(self) -> int:
        return self.pk


class MessageKind(models.TextChoices):
    PUBLIC = "public", _("Public reply")
    NOTE = "note", _("Internal note")


class Message(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages", db_index=False)
    kind = models.CharField(max_length=10, choices=MessageKind.choices, default=MessageKind.PUBLIC)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_contact = models.ForeignKey(
        "customers.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages", db_index=False
    )
    channel = models.CharField(max_length=20, choices=channels.choices, default=channels.WEB)
    body = models.TextField()
    body_html = models.TextField(blank=True)
    # the quoted history of an email reply, folded away under the new part (shown on demand)
    quoted_text = models.TextField(blank=True, default="")
    quoted_html = models.TextField(blank=True, default="")
    external_id = models.CharField(max_length=255, null=True, blank=True)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="message_ticket_idx"),
            models.Index(fields=["author_contact", "-created_at"], name="message_contact_idx"),
        ]

    @property
    def is_note(self) -> bool:
        return self.kind == MessageKind.NOTE


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to="attachments/%Y/%m/")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=127)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # uploads not yet sent in a message: each person's quota sums them, the sweep deletes
            # the old ones; a partial index stays as small as the set of unsent uploads
            models.Index(
                fields=["uploaded_by", "created_at"], condition=Q(message__isnull=True), name="attachment_pending_idx"
            ),
        ]


class LinkKind(models.TextChoices):
    RELATED = "related", _("Related")
    INCIDENT_OF = "incident_of", _("Incident of problem")
    FOLLOW_UP_OF = "follow_up_of", _("Follow-up of")
    MERGED_INTO = "merged_into", _("Merged into")
    SPLIT_FROM = "split_from", _("Split from")


class TicketLink(models.Model):
    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="ticket_link_unique"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="ticket_link_not_self"),
        ]


class TicketAudit(models.Model):
    """One change to a ticket, built from its events: what changed, who did it, when."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="audits", db_index=False)
    event = models.ForeignKey(
        "core.OutboxEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    action = models.CharField(max_length=40)
    field = models.CharField(max_length=60, blank=True)
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    actor_kind = models.CharField(max_length=10)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_rule_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="audit_ticket_idx")]


class View(models.Model):
    """A saved queue: filters and a sort order, personal (owner) or shared (owner empty)."""

    name = models.CharField(max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="views"
    )
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    filters = models.JSONField(default=dict, blank=True)
    sort = models.CharField(max_length=30, default="-updated_at")
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name
