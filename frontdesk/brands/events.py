"""Events of brands. Recorded by brands.services."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from frontdesk.core.events import Event


class BrandSaved(Event):
    """An admin created or changed a brand (``brand_save``)."""

    name: ClassVar[str] = "brand.saved"
    brand_id: int
    changes: dict[str, Any] = Field(description="field -> its new value (only the fields that changed)")
