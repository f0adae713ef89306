"""A savepoint that stands for the ones of the services inside it, on batch write paths.

Django gives every nested ``transaction.atomic()`` a savepoint: two more round trips (SAVEPOINT,
RELEASE) per service call, and a service such as ``ticket_create`` nests one inside its caller's
transaction. That savepoint is what lets a caller catch the service's error and go on using its
transaction, so a service cannot simply drop it. A batch writer that runs every item in a
savepoint of its own (the email intake: one per message) needs no more than that one:
``item_savepoint()`` opens it, and inside it the services' ``service_atomic()`` opens no savepoint
of its own. A failure anywhere inside then rolls the whole item back to its savepoint, which is
what the batch writer does anyway. Services whose own code catches an error and goes on (a lost
race, say) keep ``transaction.atomic()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.db import connection, models, transaction

from frontdesk.core.inserts import insert, insert_with_keys, reserve_keys

M = TypeVar("M", bound=models.Model)
_in_item: ContextVar[bool] = ContextVar("frontdesk_item_savepoint", default=False)
_behind: ContextVar[list[models.Model] | None] = ContextVar("frontdesk_writes_behind", default=None)
_keys: ContextVar[dict[type[models.Model], list[int]] | None] = ContextVar("frontdesk_keys_behind", default=None)


@contextmanager
def writes_behind() -> Iterator[None]:
    """Hold the rows given to ``insert_behind`` inside the block and insert them as it ends, one
    statement per model, in the order they came (a batch writer without savepoints, ADR 0014: if
    any of its items fails, the whole batch is rolled back, rows held here included). Rows whose
    keys were reserved (``keys_behind``) are inserted with them."""
    held: list[models.Model] = []
    token = _behind.set(held)
    keys_token = _keys.set({})
    try:
        yield
    finally:
        _behind.reset(token)
        _keys.reset(keys_token)
    by_model: dict[tuple[type[models.Model], bool], list[models.Model]] = {}
    for obj in held:
        by_model.setdefault((type(obj), obj.pk is not None), []).append(obj)
    for (_, keyed), objs in by_model.items():
        (insert_with_keys if keyed else insert)(*objs)


KEYS_AT_ONCE = 200  # keys reserved from a sequence in one statement


def keys_behind(model: type[models.Model], count: int) -> list[int] | None:
    """``count`` primary keys for new rows of ``model`` that the caller gives to ``insert_behind``
    (their keys are needed before they are inserted: an event's id), reserved from the table's
    sequence ``KEYS_AT_ONCE`` at a time; None outside a ``writes_behind()`` or on SQLite (no
    sequences): insert them now."""
    pools = _keys.get()
    if pools is None or connection.vendor != "postgresql":
        return None
    pool = pools.setdefault(model, [])
    if len(pool) < count:
        pool += reserve_keys(model, max(count, KEYS_AT_ONCE))
    taken, pool[:] = pool[:count], pool[count:]
    return taken


def held_behind(model: type[M]) -> list[M]:
    """The rows of ``model`` held by the enclosing ``writes_behind()`` (none outside one): what a
    reader in the same batch must look at besides the table, which does not have them yet."""
    held = _behind.get()
    return [obj for obj in held if isinstance(obj, model)] if held else []


def insert_behind(*objs: models.Model) -> None:
    """``insert(*objs)`` now, or at the end of the enclosing ``writes_behind()``: for rows whose
    primary keys nobody needs and that nothing reads back before the transaction commits (the
    audit trail), or that their one reader also finds in ``held_behind`` (a batch's references)."""
    held = _behind.get()
    if held is None:
        insert(*objs)
    else:
        held.extend(objs)


@contextmanager
def item_savepoint(*, savepoint: bool = True) -> Iterator[None]:
    """``transaction.atomic()`` around one item of a batch; the services called inside it open
    no savepoints (see the module's note). ``savepoint=False``: no savepoint for the item either
    (a batch that redoes itself with savepoints when an item fails after writing, ADR 0014)."""
    token = _in_item.set(True)
    try:
        if savepoint:
            with transaction.atomic():
                yield
        else:
            yield
    finally:
        _in_item.reset(token)


def service_atomic() -> transaction.Atomic:
    """``transaction.atomic()`` for a write service: a transaction at the top level, a savepoint
    inside a caller's transaction, and nothing of its own inside an ``item_savepoint()``."""
    return transaction.atomic(savepoint=not _in_item.get())


def on_commit_once(fn: Callable[[], object]) -> None:
    """``transaction.on_commit(fn)``, but inside the items of a batch (``item_savepoint``) once for
    the batch's transaction: a batch that opens a hundred tickets bumps the ticket counts once, not
    a hundred times. A callback dropped by an item's rolled-back savepoint, or already run, no
    longer counts: the next item registers it again. Elsewhere it is ``on_commit`` itself."""
    connection = transaction.get_connection()
    if not _in_item.get() or not connection.in_atomic_block:
        transaction.on_commit(fn)
        return
    pending: dict[Callable[[], object], Callable[[], None]] = connection.__dict__.setdefault("_frontdesk_once", {})
    waiting = pending.get(fn)
    if waiting is not None and any(hook is waiting for _, hook, _ in connection.run_on_commit):
        return

    def run() -> None:
        if pending.get(fn) is run:
            del pending[fn]
        fn()

    pending[fn] = run
    transaction.on_commit(run)
