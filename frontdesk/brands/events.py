from __future__ import annotations

from typing import Any, ClassVar

from frontdesk.core.events import Event


class BrandSaved(Event):
    name: ClassVar[str] = "brand.saved"
    brand_id: int
    changes: dict[str, Any]
