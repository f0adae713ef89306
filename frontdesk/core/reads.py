"""Reading one model instance on hot paths with SQL compiled once per model.

``read_one(Model, "id = %s", [pk])`` returns what ``Model.objects.filter(...).first()`` would —
the instance built by ``Model.from_db`` from values passed through each field's database
converters (dates, JSON, booleans on SQLite) — but skips Django's per-call query compilation,
which costs more than the query on the paths that run for every incoming message (the inbound
row, the sender's contact, the ticket it lands on). The WHERE clause is the caller's own constant
SQL over the model's table; values are always parameters. Columns listed in ``defer`` are left out
(deferred, loaded on access), like ``QuerySet.defer``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)
_Converter = Callable[[Any, Any, Any], Any]


@cache
def _shape(model: type[models.Model], defer: frozenset[str], vendor: str) -> tuple[str, list[str], list[Any]]:
    table = model._meta.db_table
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if f.name not in defer]
    columns = ", ".join(f"{quote(table)}.{quote(str(f.column))}" for f in fields)
    converters: list[Any] = []
    for field in fields:
        col = field.get_col(table)
        found = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        converters.append((found, col))
    # only quoted table and column names of our own models are interpolated
    return f"SELECT {columns} FROM {quote(table)}", [f.attname for f in fields], converters  # noqa: S608


def read_one(
    model: type[M],
    where: str,
    params: Sequence[Any],
    *,
    for_update: bool = False,
    defer: Sequence[str] = (),
) -> M | None:
    """The first row matching ``where`` (constant SQL over the model's own table, ``%s`` for
    values), locked with FOR UPDATE when asked and the database supports it, or None."""
    head, names, converters = _shape(model, frozenset(defer), connection.vendor)
    sql = f"{head} WHERE {where} LIMIT 1"
    if for_update and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for value, (funcs, col) in zip(row, converters, strict=True):
        for func in funcs:
            value = func(value, col, connection)
        values.append(value)
    return model.from_db(connection.alias, names, values)
