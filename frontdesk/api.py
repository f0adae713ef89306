"""The one NinjaAPI: error mapping and add_router() calls only (channels add their own routers)."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError

from frontdesk.accounts.api import router as accounts_router
from frontdesk.accounts.api_auth import API_AUTH
from frontdesk.brands.api import router as brands_router
from frontdesk.core import channels
from frontdesk.core.api_parser import StrictJsonParser
from frontdesk.core.errors import FrontdeskError, RateLimited, ServiceUnavailable
from frontdesk.core.unavailable import (
    DATABASE_ERRORS,
    database_error_in_output,
    database_unavailable,
    mark_logged,
    note_database_outage,
)
from frontdesk.customers.api import router as customers_router
from frontdesk.fields.api import router as fields_router
from frontdesk.notifications.api import router as notifications_router
from frontdesk.tickets.api import router as tickets_router
from frontdesk.tickets.api_search import router as search_router
from frontdesk.tickets.api_views import router as views_router

api = NinjaAPI(
    title="Frontdesk API",
    version="1.0.0",
    description="REST API v1 of Frontdesk. See docs/api/README.md for auth, errors and pagination.",
    auth=API_AUTH,
    urls_namespace="api-1.0.0",
    parser=StrictJsonParser(),
)


def _error(request: HttpRequest, status: int, code: str, message: str, fields: dict | None = None) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message, "fields": fields or {}}}, status=status
    )


@api.exception_handler(FrontdeskError)
def _domain_error(request: HttpRequest, exc: FrontdeskError) -> HttpResponse:
    response = _error(request, exc.status, exc.code, exc.message, exc.fields)
    if isinstance(exc, RateLimited | ServiceUnavailable):
        response["Retry-After"] = str(exc.retry_after)
    return response


def _database_unavailable(request: HttpRequest, exc: Exception, detail: str | None = None) -> HttpResponse:
    # a restart or failover of the database: 503 and one log line (frontdesk.core.unavailable)
    note_database_outage(request, exc, detail)
    return mark_logged(_domain_error(request, database_unavailable()))


for _db_error in DATABASE_ERRORS:
    api.exception_handler(_db_error)(_database_unavailable)


def _loc(loc: list | tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "file", "payload", "header")]
    # ninja puts the parameter name first for body schemas: drop the schema name
    return ".".join(parts) or "request"


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for err in exc.errors:
        loc = list(err.get("loc", ()))
        if len(loc) > 1 and loc[0] in ("body",) and loc[1] in ("payload", "data"):
            loc = loc[2:]
        fields.setdefault(_loc(loc), err.get("msg", "invalid"))
    return _error(request, 422, "validation_error", "The input is not valid.", fields)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "Authentication required: send a bearer token or sign in.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, FrontdeskError):  # ninja wraps what our body parser raises
        return _domain_error(request, exc.__cause__)
    codes = {400: "bad_request", 403: "permission_denied", 404: "not_found", 405: "method_not_allowed"}
    return _error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, "payload_too_large", "The request body is too large.")


@api.exception_handler(PydanticValidationError)
def _output_error(request: HttpRequest, exc: PydanticValidationError) -> HttpResponse:
    # Input is validated by Ninja (NinjaValidationError, 422) and by our services (FrontdeskError):
    # a pydantic error reaching here is a response that does not fit its schema. Ninja reads the
    # response's attributes after the view returned, so a lazy query failing on a database outage
    # arrives this way too (503); anything else is our bug and is raised as one (500, logged).
    detail = database_error_in_output(exc)
    if detail is not None:
        return _database_unavailable(request, exc, detail)
    raise exc


api.add_router("/", accounts_router)
api.add_router("/", brands_router)
api.add_router("/", fields_router)
api.add_router("/", customers_router)
api.add_router("/", tickets_router)
api.add_router("/", views_router)
api.add_router("/", search_router)
for _channel in channels.registered():  # each channel's own API (email: inbound, outbound, mailboxes)
    for _prefix, _router in _channel.api_routers() if _channel.api_routers else ():
        api.add_router(_prefix, _router)
api.add_router("/", notifications_router)
