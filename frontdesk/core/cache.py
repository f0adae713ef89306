"""Small shared caches for configuration read on every write (the default brand, field definitions).

Values live in the Django cache (Redis at scale; files under the var dir embedded: either way
every process sees an invalidation at once, decision 0009). Only reads made outside a
transaction are cached, so nothing uncommitted is ever shared. Writers call ``forget`` inside
their transaction; the key is dropped at once and again after commit, so a value another
process cached meanwhile (the old, still committed one) does not outlive the change.

Within one request (``request_memo``, opened by ``RequestMemoMiddleware``) a value is read from
the cache once and kept for the rest of the request: a page that labels 150 statuses reads the
status list once, and sees one version of it from top to bottom.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")
_PREFIX = "frontdesk:config:"
_MISSING = object()
_memo: ContextVar[dict[str, Any] | None] = ContextVar("frontdesk_request_memo", default=None)


@contextmanager
def request_memo() -> Iterator[None]:
    """Keep what ``remembered`` and ``memoised`` read until the block ends (one request)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def memoised(key: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per request (every time outside one): for values derived from
    cached ones, such as the labels of the statuses in the active language."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[no-any-return]


def remembered(key: str, compute: Callable[[], T], timeout: int = 300, *, in_transaction: bool = False) -> T:
    """The cached value, computed and shared when missing. ``in_transaction``: the caller vouches
    that its transaction never writes what ``compute`` reads, so a value read inside it is
    committed data and may be shared too."""
    memo = _memo.get()
    if memo is not None and key in memo:
        return memo[key]  # type: ignore[no-any-return]
    value = cache.get(_PREFIX + key, _MISSING)
    if value is _MISSING:
        value = compute()
        shareable = in_transaction or not transaction.get_connection().in_atomic_block
        if not shareable:
            return value  # perhaps uncommitted: neither shared nor kept
        cache.set(_PREFIX + key, value, timeout)
    if memo is not None:
        memo[key] = value
    return value  # type: ignore[return-value]


def forget(key: str) -> None:
    memo = _memo.get()
    if memo is not None:
        memo.clear()  # values derived from this one (memoised) go too
    cache.delete(_PREFIX + key)
    transaction.on_commit(lambda: cache.delete(_PREFIX + key))
