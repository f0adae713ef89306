"""Updating some columns of a model instance on hot write paths, with SQL compiled once.

``update(obj, fields)`` writes what ``obj.save(update_fields=fields)`` would: each value prepared
by its own field (``pre_save``, ``get_db_prep_save``), but without Django's per-call query
compilation (see ``core/inserts.py``). No model signals are sent and the model's own ``save`` is
not called, so it is for models without one (``Ticket.save`` bumps the version: use it there).
"""

from __future__ import annotations

from functools import cache

from django.db import connection, models


@cache
def _statement(model: type[models.Model], names: tuple[str, ...]) -> tuple[list[models.Field], str]:
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    pk = quote(str(model._meta.pk.column))  # type: ignore[union-attr]
    sets = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)  # type: ignore[union-attr]
    # only quoted table and column names of our own models are interpolated; values are parameters
    return fields, f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE {pk} = %s"  # type: ignore[return-value]  # noqa: S608


def update(obj: models.Model, fields: list[str]) -> int:
    """Write ``fields`` of the stored ``obj``; the number of rows changed (0 or 1)."""
    model = type(obj)
    if "save" in model.__dict__:
        raise TypeError(f"{model.__name__} has its own save(): update it with save(update_fields=...)")
    columns, sql = _statement(model, tuple(fields))
    params = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in columns]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, obj.pk])
        return int(cursor.rowcount)
