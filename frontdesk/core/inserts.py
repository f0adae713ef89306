"""Inserting model instances on hot write paths with SQL compiled once per model.

``insert(obj, ...)`` writes what ``obj.save(force_insert=True)`` would — every concrete column, each
value prepared by its own field (``pre_save``, ``get_db_prep_save``: JSON, time zones, defaults) —
but skips Django's per-call query compilation, which costs as much as the insert itself on the
paths that run for every ticket (the ticket, its message, its outbox events, its audit entries).
Primary keys come back with RETURNING (SQLite 3.35+ and PostgreSQL). No model signals are sent:
Frontdesk uses none (DESIGN.md §4).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import connection, models

_MAX_ROWS = 100  # one statement per 100 rows keeps the parameter count far below SQLite's limit


@cache
def _columns(model: type[models.Model]) -> tuple[list[models.Field], str]:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    names = ", ".join(quote(str(f.column)) for f in fields)
    # only quoted table and column names of our own models are interpolated; values are parameters
    return fields, f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES "  # noqa: S608


@cache
def _statement(model: type[models.Model], rows: int) -> str:
    fields, head = _columns(model)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    pk = connection.ops.quote_name(str(model._meta.pk.column))  # type: ignore[union-attr]
    return head + ", ".join([row] * rows) + f" RETURNING {pk}"


def insert(*objs: models.Model) -> None:
    """Insert new instances of one model, setting their primary keys."""
    if not objs:
        return
    model = type(objs[0])
    fields, _ = _columns(model)
    for start in range(0, len(objs), _MAX_ROWS):
        chunk = objs[start : start + _MAX_ROWS]
        params: list[Any] = []
        for obj in chunk:
            for field in fields:
                params.append(field.get_db_prep_save(field.pre_save(obj, True), connection))
        with connection.cursor() as cursor:
            cursor.execute(_statement(model, len(chunk)), params)
            ids = [row[0] for row in cursor.fetchall()]
        for obj, pk in zip(chunk, ids, strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = connection.alias
