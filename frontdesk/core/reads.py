"""Reading one model instance on hot paths with SQL compiled once per model.

``read_one(Model, "id = %s", [pk])`` returns what ``Model.objects.filter(...).first()`` would —
the instance built by ``Model.from_db`` from values passed through each field's database
converters (dates, JSON, booleans on SQLite) — but skips Django's per-call query compilation,
which costs more than the query on the paths that run for every incoming message (the inbound
row, the sender's contact, the ticket it lands on). The WHERE clause is the caller's own constant
SQL over the model's table; values are always parameters. Columns listed in ``defer`` are left out
(deferred, loaded on access), like ``QuerySet.defer``. ``read_one_related`` joins the row a foreign key points to, as
``select_related`` of that one key would.
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
    return _build(model, names, converters, row)


def _build(model: type[M], names: list[str], converters: list[Any], row: Sequence[Any]) -> M:
    values = []
    for value, (funcs, col) in zip(row, converters, strict=True):
        for func in funcs:
            value = func(value, col, connection)
        values.append(value)
    return model.from_db(connection.alias, names, values)


@cache
def _joined_shape(
    model: type[models.Model], fk: str, vendor: str, rel_defer: frozenset[str] = frozenset()
) -> tuple[str, int, type[models.Model], Any]:
    field: Any = model._meta.get_field(fk)
    related: type[models.Model] = field.related_model
    quote = connection.ops.quote_name
    own_head, own_names, _ = _shape(model, frozenset(), vendor)
    rel_head, _, _ = _shape(related, rel_defer, vendor)
    own_cols = own_head.removeprefix("SELECT ").rsplit(" FROM ", 1)[0]
    rel_cols = rel_head.removeprefix("SELECT ").rsplit(" FROM ", 1)[0]
    table, rel_table = quote(model._meta.db_table), quote(related._meta.db_table)
    target = quote(str(field.target_field.column))
    # only quoted table and column names of our own models are interpolated
    head = (
        f"SELECT {own_cols}, {rel_cols} FROM {table} INNER JOIN {rel_table}"  # noqa: S608
        f" ON {rel_table}.{target} = {table}.{quote(str(field.column))}"
    )
    return head, len(own_names), related, field


def read_one_related(model: type[M], fk: str, where: str, params: Sequence[Any]) -> M | None:
    """``read_one`` with the row of the foreign key ``fk`` read in the same query and cached on the
    instance, like ``Model.objects.select_related(fk).filter(...).first()`` (a row whose key is
    null is not found). ``where`` names columns with their table (``"table"."column"``)."""
    found = read_many_related(model, fk, where, params, limit=1)
    return found[0] if found else None


def read_many_related(
    model: type[M], fk: str, where: str, params: Sequence[Any], *, limit: int | None = None,
    lock_related: bool = False, defer_related: Sequence[str] = (),
) -> list[M]:
    """Every row matching ``where`` (at most ``limit``), each with the row of ``fk`` read in the same
    query and cached on it, as ``select_related(fk).filter(...)`` would, in no particular order.
    ``lock_related``: the rows of ``fk`` are locked (``FOR UPDATE OF`` its table, where the
    database has row locks). ``defer_related``: columns of ``fk``'s row not read (as ``defer``)."""
    rel_defer = frozenset(defer_related)
    head, split, related, field = _joined_shape(model, fk, connection.vendor, rel_defer)
    _, names, converters = _shape(model, frozenset(), connection.vendor)
    _, rel_names, rel_converters = _shape(related, rel_defer, connection.vendor)
    sql = f"{head} WHERE {where}" + (f" LIMIT {int(limit)}" if limit is not None else "")
    if lock_related and connection.features.has_select_for_update_of:
        sql += f" FOR UPDATE OF {connection.ops.quote_name(related._meta.db_table)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        rows = cursor.fetchall()
    found = []
    for row in rows:
        obj = _build(model, names, converters, row[:split])
        field.set_cached_value(obj, _build(related, rel_names, rel_converters, row[split:]))
        found.append(obj)
    return found


def read_many(model: type[M], where: str, params: Sequence[Any]) -> list[M]:
    """Every row matching ``where`` (constant SQL over the model's own table), in no particular
    order: ``Model.objects.filter(...)`` without compiling the query each time."""
    head, names, converters = _shape(model, frozenset(), connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(f"{head} WHERE {where}", list(params))
        return [_build(model, names, converters, row) for row in cursor.fetchall()]


def placeholders(values: Sequence[Any]) -> str:
    """``%s, %s, …``: one placeholder per value, for an ``IN (…)`` of constant SQL."""
    return ", ".join(["%s"] * len(values))
