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
def _statement(model: type[models.Model], rows: int, computed: tuple[tuple[str, str], ...] = ()) -> str:
    fields, head = _columns(model)
    pk = connection.ops.quote_name(str(model._meta.pk.column))  # type: ignore[union-attr]
    if computed:  # one row: some columns are SQL expressions (over parameters), some not in the ORM
        quote = connection.ops.quote_name
        exprs = dict(computed)
        names = [str(f.column) for f in fields] + [c for c in exprs if c not in {f.column for f in fields}]
        values = ", ".join(exprs.get(n, "%s") for n in names)
        columns = ", ".join(quote(n) for n in names)
        # only quoted names and the caller's constant SQL are interpolated; values are parameters
        return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({values}) RETURNING {pk}"  # noqa: S608
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return head + ", ".join([row] * rows) + f" RETURNING {pk}"


def insert(*objs: models.Model, sql: dict[str, tuple[str, list[Any]]] | None = None) -> None:
    """Insert new instances of one model, setting their primary keys.

    ``sql`` (one instance only) gives columns an SQL expression instead of the field's value:
    ``{column: (constant SQL with %s, its parameters)}``; a column the model does not declare is
    added to the statement (PostgreSQL's ``notes_vector``)."""
    if not objs:
        return
    model = type(objs[0])
    fields, _ = _columns(model)
    if sql:
        if len(objs) != 1:
            raise ValueError("insert(sql=...) writes one instance")
        _insert_computed(objs[0], fields, sql)
        return
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
            _stored(obj, pk)


@cache
def _statement_with_keys(model: type[models.Model], rows: int) -> str:
    fields, _ = _columns(model)
    quote = connection.ops.quote_name
    names = ", ".join(quote(str(f.column)) for f in (model._meta.pk, *fields))  # type: ignore[union-attr]
    row = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    # only quoted table and column names of our own models are interpolated; values are parameters
    return f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES " + ", ".join([row] * rows)  # noqa: S608


def insert_with_keys(*objs: models.Model) -> None:
    """Insert new instances of one model whose primary keys are already set (taken from the
    table's sequence beforehand: ``reserve_keys``), in one statement per 100 rows."""
    if not objs:
        return
    model = type(objs[0])
    fields, _ = _columns(model)
    for start in range(0, len(objs), _MAX_ROWS):
        chunk = objs[start : start + _MAX_ROWS]
        params: list[Any] = []
        for obj in chunk:
            params.append(obj.pk)
            for field in fields:
                params.append(field.get_db_prep_save(field.pre_save(obj, True), connection))
        with connection.cursor() as cursor:
            cursor.execute(_statement_with_keys(model, len(chunk)), params)
        for obj in chunk:
            _stored(obj, obj.pk)


def reserve_keys(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys of ``model`` from its table's sequence (PostgreSQL only), in one
    statement: rows given them can be inserted later, together (``insert_with_keys``)."""
    table = model._meta.db_table
    column = str(model._meta.pk.column)  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [connection.ops.quote_name(table), column, count])
        return [int(row[0]) for row in cursor.fetchall()]


def _insert_computed(obj: models.Model, fields: list[models.Field], sql: dict[str, tuple[str, list[Any]]]) -> None:
    statement, params = _computed(obj, fields, sql)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        _stored(obj, cursor.fetchone()[0])


def _computed(
    obj: models.Model, fields: list[models.Field], sql: dict[str, tuple[str, list[Any]]]
) -> tuple[str, list[Any]]:
    """The one-row INSERT … RETURNING of ``obj`` with ``sql``'s column expressions, and its parameters."""
    computed = tuple(sorted((column, expr) for column, (expr, _) in sql.items()))
    params: list[Any] = []
    declared = set()
    for field in fields:
        declared.add(field.column)
        if field.column in sql:
            params.extend(sql[field.column][1])
        else:
            params.append(field.get_db_prep_save(field.pre_save(obj, True), connection))
    for column, _ in computed:
        if column not in declared:
            params.extend(sql[column][1])
    return _statement(type(obj), 1, computed), params


@cache
def _claiming_statement(parent_insert: str, child: type[models.Model], fk: str, unique: tuple[str, ...]) -> str:
    fields, _ = _columns(child)
    quote = connection.ops.quote_name
    link = child._meta.get_field(fk).column  # type: ignore[union-attr]
    names = ", ".join(quote(str(f.column)) for f in fields)
    values = ", ".join('p."k"' if f.column == link else "%s" for f in fields)
    target = ", ".join(quote(str(child._meta.get_field(name).column)) for name in unique)  # type: ignore[union-attr]
    pk = quote(str(child._meta.pk.column))  # type: ignore[union-attr]
    parent = parent_insert.rsplit(" RETURNING ", 1)
    # only quoted names and the compiled parent INSERT are interpolated; values are parameters
    return (
        f"WITH p AS ({parent[0]} RETURNING {parent[1]} AS k),"  # noqa: S608
        f" c AS (INSERT INTO {quote(child._meta.db_table)} ({names}) SELECT {values} FROM p"
        f" ON CONFLICT ({target}) DO NOTHING RETURNING {pk})"
        ' SELECT p."k", (SELECT c.' + pk + " FROM c) FROM p"
    )


def insert_claiming(
    parent: models.Model, child: models.Model, *, fk: str, unique: tuple[str, ...],
    sql: dict[str, tuple[str, list[Any]]] | None = None,
) -> bool:
    """Insert ``parent`` (``sql``: as for ``insert``) and ``child``, whose foreign key ``fk`` is
    set to it, unless a row already holds the child's values of ``unique``: True when both were
    inserted; False when only the parent was (another writer holds the values: the caller removes
    the parent). One statement on PostgreSQL (a claim made with the row that owns it); two on
    SQLite, which has no INSERT in a WITH."""
    if connection.vendor != "postgresql":
        insert(parent, sql=sql)
        setattr(child, fk, parent)
        return insert_unless_taken(child, unique=unique)
    fields, _ = _columns(type(parent))
    statement, params = _computed(parent, fields, sql or {})
    link = child._meta.get_field(fk).column  # type: ignore[union-attr]
    child_fields, _ = _columns(type(child))
    params += [f.get_db_prep_save(f.pre_save(child, True), connection) for f in child_fields if f.column != link]
    with connection.cursor() as cursor:
        cursor.execute(_claiming_statement(statement, type(child), fk, unique), params)
        parent_pk, child_pk = cursor.fetchone()
    _stored(parent, parent_pk)
    setattr(child, fk, parent)
    if child_pk is None:
        return False
    _stored(child, child_pk)
    return True


def _stored(obj: models.Model, pk: Any) -> None:
    """``obj`` as ``save()`` leaves a new instance: its primary key set, no longer adding."""
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


@cache
def _unless_taken_statement(model: type[models.Model], unique: tuple[str, ...]) -> str:
    fields, head = _columns(model)
    quote = connection.ops.quote_name
    pk = quote(str(model._meta.pk.column))  # type: ignore[union-attr]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    target = ", ".join(quote(str(model._meta.get_field(name).column)) for name in unique)  # type: ignore[union-attr]
    return f"{head}{row} ON CONFLICT ({target}) DO NOTHING RETURNING {pk}"


def insert_unless_taken(obj: models.Model, *, unique: tuple[str, ...]) -> bool:
    """Insert ``obj`` unless a row already holds its values of ``unique`` (the fields of one of the
    model's unique constraints): True when it was inserted (its primary key set), False when another
    writer's row holds them. A taken value raises nothing, so the caller's transaction needs no
    savepoint around it; on PostgreSQL a writer that has not committed yet is waited for."""
    fields, _ = _columns(type(obj))
    params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(_unless_taken_statement(type(obj), unique), params)
        row = cursor.fetchone()
    if row is None:
        return False
    _stored(obj, row[0])
    return True
