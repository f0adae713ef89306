"""Template helpers for the workspace pages."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def options(choices: Iterable[tuple[Any, Any]], selected: Any = None) -> SafeString:
    """``<option>`` elements for (value, label) pairs, values and labels escaped, the ones in
    ``selected`` (a value or a collection of values) marked. Long lists (time zones,
    organisations) render here in Python instead of one template loop step per option."""
    if selected is None:
        chosen: set[str] = set()
    elif isinstance(selected, str | int):
        chosen = {str(selected)}
    else:
        chosen = {str(v) for v in selected}
    parts = []
    for value, label in choices:
        text = str(value)
        mark = " selected" if text in chosen else ""
        parts.append(f'<option value="{escape(text, quote=True)}"{mark}>{escape(str(label))}</option>')
    return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped above
