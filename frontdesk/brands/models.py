from __future__ import annotations

from django.db import models
from django.db.models import Q


class Brand(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    logo = models.FileField(upload_to="brands/", blank=True)
    primary_color = models.CharField(max_length=7, default="#1f6feb")
    accent_color = models.CharField(max_length=7, default="#0b7a53")
    support_emails = models.JSONField(default=list, blank=True)
    help_center_host = models.CharField(max_length=253, null=True, blank=True, unique=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_brand")
        ]

    def __str__(self) -> str:
        return self.name
