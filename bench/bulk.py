"""Bulk writes for the benchmark generator: COPY on PostgreSQL, executemany on SQLite.

Rows are plain tuples in the order of the columns given to `Table`; every other
concrete column of the model gets its model default (so a column another app adds
later does not break the generator). Ids are assigned by the generator.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED


def vendor() -> str:
    return connection.vendor


def ts(value: datetime) -> Any:
    """A datetime as the database driver wants it (SQLite: Django's UTC text form)."""
    if connection.vendor == "sqlite":
        return str(value.astimezone(UTC).replace(tzinfo=None))
    return value


def _const(field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return json.dumps(value)
    if isinstance(value, datetime):
        return ts(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


class Table:
    """A model's table with the columns we fill and constants for the rest."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], skip: Sequence[str] = ()):
        self.model = model
        self.name = model._meta.db_table
        by_column = {f.column: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(by_column)
        if unknown:
            raise ValueError(f"{self.name}: unknown columns {sorted(unknown)}")
        tail_cols: list[str] = []
        tail_vals: list[Any] = []
        for column, field in by_column.items():
            if column in columns or column in skip:
                continue
            if field.default is not NOT_PROVIDED:
                value = field.get_default()
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                from django.utils import timezone

                value = timezone.now()
            elif field.null:
                value = None
            elif isinstance(field, models.CharField | models.TextField) and field.blank:
                value = ""
            else:
                raise ValueError(f"{self.name}.{column} has no default: the generator must fill it")
            tail_cols.append(column)
            tail_vals.append(_const(field, value))
        self.columns = [*columns, *tail_cols]
        self.tail = tuple(tail_vals)

    def write(self, rows: Iterable[tuple]) -> int:
        """Insert rows (tuples for the given columns) in the current transaction."""
        tail = self.tail
        full = (row + tail for row in rows) if tail else rows
        cols = ", ".join(f'"{c}"' for c in self.columns)
        n = 0
        if connection.vendor == "postgresql":
            raw = connection.connection
            with raw.cursor() as cur, cur.copy(f'COPY "{self.name}" ({cols}) FROM STDIN') as copy:
                for row in full:
                    copy.write_row(row)
                    n += 1
            return n
        marks = ", ".join("?" for _ in self.columns)
        batch = list(full)
        raw = connection.connection
        raw.executemany(f'INSERT INTO "{self.name}" ({cols}) VALUES ({marks})', batch)
        return len(batch)

    def write_with_vectors(self, rows: Iterable[tuple], texts: int, vectors: dict[str, str]) -> int:
        """PostgreSQL: COPY rows (each followed by ``texts`` text values) into a staging table, then
        INSERT them with the tsvector columns computed from those texts (``$1``, ``$2``… in ``vectors``),
        so each row is written once, search vector included."""
        stage = f"bench_stage_{self.name}"
        cols = ", ".join(f'"{c}"' for c in self.columns)
        text_cols = [f"_t{i + 1}" for i in range(texts)]
        tail = self.tail
        raw = connection.connection
        with raw.cursor() as cur:
            cur.execute(
                f'CREATE TEMP TABLE IF NOT EXISTS "{stage}" AS SELECT {cols} FROM "{self.name}" WITH NO DATA'
            )
            for col in text_cols:
                cur.execute(f'ALTER TABLE "{stage}" ADD COLUMN IF NOT EXISTS {col} text')
            cur.execute(f'TRUNCATE "{stage}"')
            n = 0
            with cur.copy(f'COPY "{stage}" ({cols}, {", ".join(text_cols)}) FROM STDIN') as copy:
                k = len(self.columns) - len(tail)
                for row in rows:
                    copy.write_row(row[:k] + tail + row[k:])
                    n += 1
            exprs = []
            for expr in vectors.values():
                for i in range(texts, 0, -1):
                    expr = expr.replace(f"${i}", text_cols[i - 1])
                exprs.append(expr)
            vcols = ", ".join(f'"{c}"' for c in vectors)
            cur.execute(
                f'INSERT INTO "{self.name}" ({cols}, {vcols}) '
                f'SELECT {cols}, {", ".join(exprs)} FROM "{stage}"'
            )
        return n


def next_id(model: type[models.Model]) -> int:
    with connection.cursor() as cur:
        cur.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{model._meta.db_table}"')
        return int(cur.fetchone()[0]) + 1


def reset_sequences(tables: Iterable[str]) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequences past them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for table in tables:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'GREATEST((SELECT MAX(id) FROM "{table}"), 1))'
            )


def fast_load_session() -> None:
    """Skip foreign-key triggers while loading consistent generated rows (PostgreSQL superuser only)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cur:
            cur.execute("PRAGMA foreign_keys=OFF")
        return
    with connection.cursor() as cur:
        try:
            cur.execute("SET session_replication_role = replica")
        except Exception:  # noqa: BLE001 - not a superuser: keep the checks, it is only slower
            connection.connection.rollback()
        cur.execute("SET synchronous_commit = off")


def end_fast_load_session() -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("RESET session_replication_role")
            cur.execute("RESET synchronous_commit")
        else:
            cur.execute("PRAGMA foreign_keys=ON")
