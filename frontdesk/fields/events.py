from __future__ import annotations

from typing import Any, ClassVar

from frontdesk.core.events import Event


class CustomFieldSaved(Event):
    name: ClassVar[str] = "custom_field.saved"
    field_id: int
    changes: dict[str, Any]
