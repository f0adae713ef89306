"""Names that end up in mail headers (a brand's name is the display name of what it sends, a
mailbox's when no ticket is involved): one line of printable text, checked at the service so the
API and the pages refuse the same input with the same field error."""

from __future__ import annotations

import unicodedata
from typing import Any

# control characters (C0, DEL, C1: CR, LF, TAB, NUL, NEL …) and the Unicode line and paragraph
# separators: whatever a mail header, a log line or a protocol command could read as a break
_REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


def has_control(value: str) -> bool:
    return any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in value)


def name_error(value: Any, *, max_length: int, required: bool = True) -> str | None:
    """Why ``value`` is not a valid one-line name, or None. The caller stores ``value.strip()``."""
    if not isinstance(value, str):
        return "must be text"
    if has_control(value):  # anywhere, also at the ends: only spaces are trimmed
        return "must not contain line breaks, tabs or other control characters"
    value = value.strip()
    if not value:
        return "required" if required else None
    if len(value) > max_length:
        return f"at most {max_length} characters"
    return None
