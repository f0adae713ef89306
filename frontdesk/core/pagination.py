"""Keyset pagination: an opaque cursor holds the last row's sort value and id.

Pages stay as fast on page 50 as on page 1 because the database seeks with an
index instead of counting past OFFSET rows.

A cursor is signed (``django.core.signing``, with a salt of its own) and names the model and the
sort order it was made for; on the way back every part is checked again all the same: the id is
within 1..2^63-1, and the sort value has the type and range of the sort field (an aware datetime
for a date-time, an integer within the column's range, text within its length and without NUL).
So a cursor this server did not make, or made for another list or order, is refused with
``422 invalid_cursor`` (pages show page one instead: ``keyset_page_or_first``) and never reaches
the database as a value of the wrong type. Rotating ``FRONTDESK_SECRET_KEY`` (without keeping the
old one in ``SECRET_KEY_FALLBACKS``) only sends clients holding a cursor back to page one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Q, QuerySet

from frontdesk.core.errors import ValidationError
from frontdesk.core.ids import MAX_ID

T = TypeVar("T")
MAX_LIMIT = 200
SALT = "frontdesk.core.pagination.cursor"
# a cursor carries one sort value: text of at most a few hundred characters, escaped as JSON
# (up to 12 characters each) and base64-encoded; anything longer was not made here
MAX_CURSOR_CHARS = 8192
_TEXT_CAP = 10_000  # a TextField sort value (fields without max_length)
_signer = signing.Signer(salt=SALT)


class InvalidCursor(ValidationError):
    """The cursor is not valid."""

    code = "invalid_cursor"


def _invalid() -> InvalidCursor:
    return InvalidCursor(
        "The cursor is not valid: start again from the first page.",
        fields={"cursor": "not a cursor from this list"},
    )


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def _sort_field(qs: QuerySet, name: str) -> models.Field:
    """The model field (or annotation) a list is sorted by; only types a cursor can carry."""
    try:
        field = qs.model._meta.get_field(name)
    except FieldDoesNotExist:
        annotation = qs.query.annotations.get(name)
        if annotation is None:
            raise
        field = annotation.output_field
    if not isinstance(field, models.DateTimeField | models.DateField | models.IntegerField | models.CharField
                      | models.TextField):
        raise TypeError(f"keyset_page cannot sort by {name!r} ({type(field).__name__})")
    return field  # type: ignore[return-value]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _encode(qs: QuerySet, sort: str, value: Any, pk: int) -> str:
    return _signer.sign_object([qs.model._meta.label_lower, sort, _plain(value), pk])


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _tagged(raw: Any, tag: str) -> str:
    if not (isinstance(raw, dict) and set(raw) == {tag} and isinstance(raw[tag], str) and len(raw[tag]) <= 64):
        raise ValueError
    return raw[tag]


def _value(field: models.Field, raw: Any) -> Any:
    """``raw`` checked against ``field``'s type and range, as the filter will use it."""
    if isinstance(field, models.DateTimeField):
        moment = datetime.fromisoformat(_tagged(raw, "dt"))
        if moment.tzinfo is None:
            raise ValueError
        return moment.astimezone(UTC)  # OverflowError at the edges of the calendar
    if isinstance(field, models.DateField):
        return date.fromisoformat(_tagged(raw, "d"))
    if isinstance(field, models.IntegerField):
        # the column type's range as declared, the same on every database (SQLite would take any
        # 64-bit value; PostgreSQL refuses a smallint out of range)
        low, high = BaseDatabaseOperations.integer_field_ranges.get(field.get_internal_type(), (-(2**63), MAX_ID))
        if not _is_int(raw) or not low <= raw <= high:
            raise ValueError
        return raw
    # CharField / TextField
    if not isinstance(raw, str) or "\x00" in raw or len(raw) > (field.max_length or _TEXT_CAP):
        raise ValueError
    return raw


def _decode(cursor: str, qs: QuerySet, sort: str, field: models.Field | None) -> tuple[Any, int]:
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR_CHARS:
        raise _invalid()
    try:
        payload = _signer.unsign_object(cursor)
        if not isinstance(payload, list) or len(payload) != 4:
            raise ValueError
        label, made_for, raw, pk = payload
        if label != qs.model._meta.label_lower or made_for != sort:
            raise ValueError  # signed here, but for another list or order
        if not _is_int(pk) or not 1 <= pk <= MAX_ID:
            raise ValueError
        value = pk if field is None else _value(field, raw)
    except (signing.BadSignature, ValueError, TypeError, OverflowError, RecursionError):
        raise _invalid() from None
    return value, pk


def keyset_page(
    qs: QuerySet, *, sort: str = "-id", cursor: str | None = None, limit: int = 25
) -> Page:
    """One page of ``qs`` ordered by ``sort`` (a non-null field, optionally prefixed with '-'), then id.

    A ``cursor`` not made by this function for this model and ``sort`` raises ``InvalidCursor``."""
    if not _is_int(limit) or limit < 1 or limit > MAX_LIMIT:
        raise ValidationError(f"limit must be between 1 and {MAX_LIMIT}.", fields={"limit": "out of range"})
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    field = None if name in ("id", "pk") else _sort_field(qs, name)
    if field is None:
        qs = qs.order_by("-id" if descending else "id")
    else:
        qs = qs.order_by(f"-{name}", "-id") if descending else qs.order_by(name, "id")
    if cursor:
        value, pk = _decode(cursor, qs, sort, field)
        op = "lt" if descending else "gt"
        if field is None:
            qs = qs.filter(**{f"id__{op}": pk})
        else:
            # the redundant inclusive bound lets the database seek in the (field, id) index instead of
            # filtering every row before the cursor: page 50 costs what page 1 costs
            qs = qs.filter(**{f"{name}__{op}e": value}).filter(
                Q(**{f"{name}__{op}": value}) | Q(**{name: value, f"id__{op}": pk})
            )
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = _encode(qs, sort, None if field is None else getattr(last, name), last.pk)
    return Page(items=rows, next_cursor=next_cursor)


def keyset_page_or_first(
    qs: QuerySet, *, sort: str = "-id", cursor: str | None = None, limit: int = 25
) -> Page:
    """``keyset_page`` for pages: a cursor that is not valid (an old bookmark, a link edited by
    hand) shows the first page rather than an error."""
    try:
        return keyset_page(qs, sort=sort, cursor=cursor, limit=limit)
    except InvalidCursor:
        return keyset_page(qs, sort=sort, cursor=None, limit=limit)
