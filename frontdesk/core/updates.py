"""Updating some columns of a model instance on hot write paths, with SQL compiled once.

``update(obj, fields)`` writes what ``obj.save(update_fields=fields)`` would: each value prepared
by its own field (``pre_save``, ``get_db_prep_save``), but without Django's per-call query
compilation (see ``core/inserts.py``). No model signals are sent and the model's own ``save`` is
not called, so it is for models without one, unless the model does what its ``save`` does itself
and says so (``Ticket.save_fields`` bumps the version, then calls ``update(own_save=True)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db import connection, models


@cache
def _statement(
    model: type[models.Model], names: tuple[str, ...], computed: tuple[tuple[str, str], ...] = ()
) -> tuple[list[models.Field], str]:
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    pk = quote(str(model._meta.pk.column))  # type: ignore[union-attr]
    sets = [f"{quote(str(f.column))} = %s" for f in fields]  # type: ignore[union-attr]
    sets += [f"{quote(column)} = {expr}" for column, expr in computed]
    # only quoted table and column names of our own models and the callers' constant SQL are
    # interpolated; values are parameters
    return fields, f"UPDATE {quote(model._meta.db_table)} SET {', '.join(sets)} WHERE {pk} = %s"  # type: ignore[return-value]  # noqa: S608


def update(
    obj: models.Model, fields: list[str], *, sql: dict[str, tuple[str, list[Any]]] | None = None,
    own_save: bool = False,
) -> int:
    """Write ``fields`` of the stored ``obj``; the number of rows changed (0 or 1).

    ``sql`` sets more columns to SQL expressions in the same statement: ``{column: (constant SQL
    with %s, its parameters)}`` (PostgreSQL's search entry of a ticket, say). ``own_save``: the
    caller did what the model's own ``save`` does (see the module's note)."""
    model = type(obj)
    if "save" in model.__dict__ and not own_save:
        raise TypeError(f"{model.__name__} has its own save(): update it with save(update_fields=...)")
    computed = tuple(sorted((column, expr) for column, (expr, _) in (sql or {}).items()))
    columns, statement = _statement(model, tuple(fields), computed)
    params = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in columns]
    for column, _ in computed:
        params.extend(sql[column][1])  # type: ignore[index]
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, obj.pk])
        return int(cursor.rowcount)


def update_many(objs: Sequence[models.Model], fields: list[str]) -> None:
    """``update(obj, fields)`` for many stored instances of one model, sent as one batch of
    statements (psycopg pipelines them: no wait for each row's answer)."""
    if not objs:
        return
    model = type(objs[0])
    if "save" in model.__dict__:
        raise TypeError(f"{model.__name__} has its own save(): update it with save(update_fields=...)")
    columns, statement = _statement(model, tuple(fields))
    rows = [[*(f.get_db_prep_save(f.pre_save(obj, False), connection) for f in columns), obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(statement, rows)
