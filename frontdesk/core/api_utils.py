"""Shared pieces of the REST API: path ids, keyset pages, Idempotency-Key on creates.

    @router.get("/tickets", response=PageOut[TicketOut])
    def list_tickets(request, cursor: str | None = None, limit: int = 25):
        return page_response(keyset_page(qs, sort="-updated_at", cursor=cursor, limit=limit))

    @router.post("/tickets", response={201: TicketOut})
    def create_ticket(request, payload: TicketIn):
        return idempotent(request, 201, lambda: TicketOut.from_orm(ticket_create(...)))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field

from frontdesk.core.idempotency import run_idempotent
from frontdesk.core.ids import MAX_ID, ObjectId, check_id
from frontdesk.core.pagination import Page

T = TypeVar("T")

__all__ = [
    "MAX_ID", "ErrorOut", "ObjectId", "PageOut", "StrictIn",
    "check_id", "errors", "idempotent", "omittable", "page_response",
]


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, str]


class ErrorOut(Schema):
    """Every failure: ``{"error": {"code", "message", "fields"}}``."""

    error: ErrorBody


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    """Response declarations for the error statuses a route can answer: ``{200: X, **errors(404, 422)}``."""
    return {code: ErrorOut for code in codes}


class StrictIn(Schema):
    """Base of every input schema: unknown fields are refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


def omittable(**constraints: Any) -> Any:
    """A field of an input schema that may be left out but, when sent, must have its declared type.

        name: str = omittable(max_length=200)

    Left out, it reads None and ``model_dump(exclude_unset=True)`` leaves it out (PATCH: unchanged);
    an explicit null is refused with 422, because the declared type is not Optional. Typed ``Any``
    like pydantic's ``Field(...)``: pydantic's ``MISSING`` sentinel would say this exactly, but
    django-ninja 1.7 cannot render it in the OpenAPI document.
    """
    return Field(None, **constraints)


class PageOut(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def page_response(page: Page) -> dict[str, Any]:
    return {"items": page.items, "next_cursor": page.next_cursor}


def _caller(request: HttpRequest) -> str:
    token = getattr(request, "api_token", None)
    if token is not None:
        return f"token:{token.pk}"
    user = getattr(request, "user", None)
    return f"user:{getattr(user, 'pk', 'anon')}"


def idempotent(request: HttpRequest, status: int, create: Callable[[], BaseModel | dict]) -> HttpResponse:
    """Run ``create`` once per Idempotency-Key of this caller; a retry replays the first response."""

    def run() -> tuple[int, Any]:
        result = create()
        data = result.model_dump(mode="json") if isinstance(result, BaseModel) else result
        return status, data

    code, payload = run_idempotent(
        owner=_caller(request),
        key=request.headers.get("Idempotency-Key"),
        method=request.method or "POST",
        path=request.path,
        body=request.body,
        fn=run,
    )
    return JsonResponse(payload, status=code, safe=False, json_dumps_params={"ensure_ascii": False})
