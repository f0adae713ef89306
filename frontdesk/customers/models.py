from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frontdesk.core import channels


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    notes = models.TextField(blank=True)
    vip = models.BooleanField(default=False)
    tier = models.CharField(max_length=30, blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    tags = models.ManyToManyField("fields.Tag", blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationDomain(models.Model):
    """New contacts whose email is at this domain join the organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)

    def __str__(self) -> str:
        return self.domain


class ContactManager(models.Manager["Contact"]):
    """Contacts are read without their search vector: only the search SQL reads it, and a save()
    of a contact read without it never writes a stale copy back."""

    def get_queryset(self) -> models.QuerySet[Contact]:
        return super().get_queryset().defer("search_vector")


class Contact(models.Model):
    """One person, however many addresses, numbers and handles they reach us from."""

    name = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="contact"
    )
    primary_email = models.CharField(max_length=254, blank=True, db_index=True)
    language = models.CharField(max_length=16, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    preferred_channel = models.CharField(max_length=20, choices=channels.choices, blank=True)
    vip = models.BooleanField(default=False)
    tier = models.CharField(max_length=30, blank=True)
    notes = models.TextField(blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    tags = models.ManyToManyField("fields.Tag", blank=True, related_name="+")
    # Counters kept by the purchase services, so the 360 view never sums a table.
    lifetime_value = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    purchase_count = models.PositiveIntegerField(default=0)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    search_vector = SearchVectorField(null=True, editable=False)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ContactManager()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["organisation", "name"], name="contact_org_name_idx")]

    def __str__(self) -> str:
        return self.name or self.primary_email or f"Contact {self.pk}"


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("Email address")
    PHONE = "phone", _("Phone number")
    CHAT = "chat", _("Chat visitor")
    TWITTER = "twitter", _("X / Twitter")
    FACEBOOK = "facebook", _("Facebook")
    INSTAGRAM = "instagram", _("Instagram")
    WHATSAPP = "whatsapp", _("WhatsApp")
    OTHER = "other", _("Other")


class Identity(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=20, choices=IdentityKind.choices)
    value = models.CharField(max_length=254)  # normalised: lower-case email, E.164-ish phone
    is_primary = models.BooleanField(default=False)
    undeliverable = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="identity_unique")]
        verbose_name_plural = "identities"

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class PurchaseStatus(models.TextChoices):
    PAID = "paid", _("Paid")
    PENDING = "pending", _("Pending")
    REFUNDED = "refunded", _("Refunded")
    CANCELLED = "cancelled", _("Cancelled")


class Purchase(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="purchases")
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    product = models.CharField(max_length=200)
    sku = models.CharField(max_length=100, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    purchased_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=PurchaseStatus.choices, default=PurchaseStatus.PAID)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-purchased_at", "-pk"]
        indexes = [models.Index(fields=["contact", "-purchased_at"], name="purchase_contact_idx")]

    def __str__(self) -> str:
        return f"{self.product} {self.amount} {self.currency}"


class ContactEvent(models.Model):
    """A CRM fact about a contact outside tickets (a note, a merge, an import) for the timeline."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="crm_events")
    kind = models.CharField(max_length=30)  # note, merged, identity_added, …
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["contact", "-created_at"], name="contact_event_idx")]
