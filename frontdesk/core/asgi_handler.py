"""Django's ASGI handler, with the middleware chain built for synchronous code and the request
threads reused.

Frontdesk's views are synchronous and several of its middlewares (and WhiteNoise's) are
synchronous only. Django's own ASGIHandler builds the chain in async mode: it runs the outer
synchronous middlewares in a worker thread, comes back to the event loop at the first
async-capable middleware (XFrameOptionsMiddleware, the last one), and hops to the worker thread
again for the view: three crossings of the sync/async boundary per request. Built in sync mode,
as under WSGI, the whole chain and the view run in one ``sync_to_async`` call. An async view,
should one be added, still works: the sync chain runs it through ``async_to_sync``.

Django also gives each request a ThreadSensitiveContext, in which asgiref starts a new
single-thread executor, so every request started (and ended) an OS thread, and whatever is kept
per thread (the task queue's SQLite connection) was opened again for each. Here each request
still has a thread of its own for as long as it runs (requests run side by side as before), but
the threads are taken from a free list and given back: no thread is started per request.
Per-request state does not leak from one request to the next through a reused thread: Django
keeps it (database connections, the active time zone and language) in context variables.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import django
from asgiref.sync import ThreadSensitiveContext
from django.core.handlers.asgi import ASGIHandler

MAX_IDLE_THREADS = 32  # request threads kept for reuse; more at a peak are shut down afterwards


class SyncChainASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self._idle: list[ThreadPoolExecutor] = []  # touched only on the event loop

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        if is_async:  # the top of the sync chain, awaited by get_response_async
            chain: Any = self._middleware_chain  # type: ignore[has-type]  # untyped in the stubs
            self._middleware_chain = self.adapt_method_mode(True, chain, False)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = self._idle.pop() if self._idle else ThreadPoolExecutor(1, thread_name_prefix="request")
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            # a sync call still running (a request cancelled mid-call) only delays the next request
            # given this thread: the executor runs one call at a time
            if len(self._idle) < MAX_IDLE_THREADS:
                self._idle.append(executor)
            else:
                executor.shutdown(wait=False)


def get_asgi_application() -> Any:
    django.setup(set_prefix=False)
    return SyncChainASGIHandler()
