"""Email channel records. Raw mail is stored on disk before anything else happens; every
outgoing message is a row with a status and attempts, so nothing is lost or sent twice."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _secret() -> str:
    return secrets.token_urlsafe(32)


class Mailbox(models.Model):
    """A support address of a brand (and optionally a team), with how mail reaches and leaves it."""

    name = models.CharField(max_length=100)
    address = models.EmailField(unique=True)
    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="mailboxes")
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    active = models.BooleanField(default=True)
    # receiving
    imap_host = models.CharField(max_length=253, blank=True)
    imap_port = models.PositiveIntegerField(default=993)
    imap_ssl = models.BooleanField(default=True)
    imap_user = models.CharField(max_length=254, blank=True)
    imap_password = models.CharField(max_length=254, blank=True)
    imap_folder = models.CharField(max_length=200, default="INBOX")
    imap_move_to = models.CharField(max_length=200, blank=True)  # else processed mail is flagged \Seen
    inbound_secret = models.CharField(max_length=64, default=_secret)  # for the HTTP endpoint
    max_message_bytes = models.PositiveIntegerField(default=25 * 1024 * 1024)
    # sending
    smtp_host = models.CharField(max_length=253, blank=True)
    smtp_port = models.PositiveIntegerField(default=587)
    smtp_user = models.CharField(max_length=254, blank=True)
    smtp_password = models.CharField(max_length=254, blank=True)
    smtp_starttls = models.BooleanField(default=True)
    smtp_ssl = models.BooleanField(default=False)
    auto_acknowledge = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"


class ImapCursor(models.Model):
    """Where polling of one mailbox stands: (UIDVALIDITY, last UID committed)."""

    mailbox = models.OneToOneField(Mailbox, on_delete=models.CASCADE, related_name="imap_cursor")
    uidvalidity = models.BigIntegerField(null=True)
    last_uid = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    polled_at = models.DateTimeField(null=True, blank=True)  # the last poll that ended, well or not
    poll_error = models.TextField(blank=True)  # why that poll failed; empty when it went well


IMPORTED = "import"  # InboundEmail.source of a mailbox history brought in by `frontdesk mail import`


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")  # duplicates, our own mail, auto-replies: with a reason
    QUARANTINED = "quarantined", _("Quarantined")


class InboundEmail(models.Model):
    """One raw message as it arrived, stored before processing; processing is idempotent."""

    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound")
    source = models.CharField(max_length=10)  # imap, lmtp, smtp, http, cli, import
    raw = models.FileField(upload_to="mail/inbound/%Y/%m/")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    header_id = models.CharField(max_length=998, blank=True)  # Message-ID, without brackets (indexed with sender)
    sender = models.CharField(max_length=254, blank=True)  # From address
    # what the header says, read when the message is stored (pipeline/sender.py):
    sender_key = models.CharField(max_length=254, blank=True)  # From address without its +tag: bursts count by it
    sender_claim = models.CharField(max_length=254, blank=True)  # an other address its display name claims
    # how processing treated it, shown next to its message: [{"code": "token_refused", "ticket": 12},
    # {"code": "ccs_withheld", "addresses": [...]}] (see pipeline/threading.handling_notes)
    notes = models.JSONField(default=list, blank=True)
    imap_uidvalidity = models.BigIntegerField(null=True, blank=True)
    imap_uid = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=InboundStatus.choices, default=InboundStatus.RECEIVED)
    reason = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.ForeignKey("tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "received_at"], name="inbound_status_idx"),
            models.Index(fields=["sender_key", "received_at"], name="inbound_sender_key_idx"),
            # the duplicate check (one Message-ID from one sender); a plain index, not the ORM's
            # db_index, which adds a second one for LIKE that no query here uses
            models.Index(fields=["header_id", "sender"], name="inbound_header_sender_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "imap_uidvalidity", "imap_uid"],
                condition=models.Q(imap_uid__isnull=False),
                name="inbound_imap_once",
            )
        ]


class EmailReference(models.Model):
    """A Message-ID we sent or received, and the ticket (and party) it belongs to: threading
    by In-Reply-To/References only trusts these, scoped to the people on the ticket."""

    header_id = models.CharField(max_length=998)  # without angle brackets
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey("tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outgoing = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # looked up by equality only: one index, not db_index's two (it adds one for LIKE)
        indexes = [models.Index(fields=["header_id"], name="emailref_header_idx")]


class OutboundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    DEAD = "dead", _("Gave up")


class OutboundEmail(models.Model):
    """One message to send. Written in the reply's transaction; a worker sends it after commit,
    retrying with backoff while the server is down, and never sends it twice."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="outbound")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey("tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20)  # reply, acknowledgement, notification
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list)
    bcc = models.JSONField(default=list, blank=True)  # delivered to, never written in the headers
    subject = models.CharField(max_length=998)
    header_id = models.CharField(max_length=998, unique=True)  # our Message-ID, without brackets
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    auto_submitted = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=OutboundStatus.choices, default=OutboundStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbound_due_idx",
                condition=models.Q(status__in=["pending", "failed"]),
            )
        ]
