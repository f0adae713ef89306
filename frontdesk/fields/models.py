from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DROPDOWN = "dropdown", _("Dropdown")
    MULTISELECT = "multiselect", _("Multi-select")
    DATE = "date", _("Date")
    CHECKBOX = "checkbox", _("Checkbox")


class AppliesTo(models.TextChoices):
    TICKET = "ticket", _("Tickets")
    CONTACT = "contact", _("Contacts")
    ORGANISATION = "organisation", _("Organisations")


class CustomField(models.Model):
    """A typed custom field; values live in the object's ``custom_fields`` JSON under ``key``."""

    applies_to = models.CharField(max_length=20, choices=AppliesTo.choices, default=AppliesTo.TICKET)
    key = models.SlugField(max_length=60)
    label = models.CharField(max_length=100)
    type = models.CharField(max_length=20, choices=FieldType.choices)
    options = models.JSONField(default=list, blank=True)  # for dropdown and multi-select
    required = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["applies_to", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["applies_to", "key"], name="custom_field_key_unique")]

    def __str__(self) -> str:
        return f"{self.applies_to}.{self.key}"


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
