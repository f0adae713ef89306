"""The API's JSON body parser: strict JSON, and no NUL characters anywhere.

PostgreSQL text cannot hold U+0000 and no field of ours means it, so a body carrying one is refused
with a clear 422 naming the field instead of failing deep in the database.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser

from frontdesk.core.errors import ValidationError


def _find_nul(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return where
            found = _find_nul(item, where)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _find_nul(item, f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None


class StrictJsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        try:
            data = json.loads(request.body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ValidationError("The body is not valid JSON.", fields={"body": "not valid JSON"}) from None
        where = _find_nul(data, "")
        if where is not None:
            raise ValidationError("Text may not contain NUL characters.", fields={where or "body": "contains NUL"})
        return data
