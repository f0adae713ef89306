"""How a database outage is answered: 503 with Retry-After in the one error shape (API) or a plain page,
one log line and no traceback, wherever the error is raised (a view, middleware, a lazy query while
the API builds its response).

These run in both passes and raise the driver's real error classes at the point where a lost
connection raises them; tests/test_faults_outages.py restarts a real PostgreSQL under a real server.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import psycopg
import pydantic
import pytest
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from psycopg_pool import PoolTimeout

from frontdesk.api import api
from frontdesk.core.unavailable import database_error_in_output, lost_connection

DOWN_HEADER = "HTTP_X_TEST_DATABASE_DOWN"


class DatabaseDownMiddleware:
    """Raises what Django raises when the session or user lookup meets a closed connection."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if DOWN_HEADER in request.META:
            try:
                raise psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly")
            except psycopg.OperationalError as exc:
                raise OperationalError(*exc.args) from exc
        return self.get_response(request)


@pytest.fixture
def down_client(settings) -> Client:  # type: ignore[no-untyped-def]
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.test_database_unavailable.DatabaseDownMiddleware"]
    return Client(raise_request_exception=False, **{DOWN_HEADER: "1"})


@pytest.mark.django_db
def test_a_page_answers_a_plain_503_page_when_middleware_meets_a_database_outage(down_client, caplog) -> None:
    with caplog.at_level(logging.INFO):
        response = down_client.get("/login/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "5"
    assert b"Temporarily unavailable" in response.content
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING and r.name != "psycopg.pool"]
    assert [r.name for r in lines] == ["frontdesk.unavailable"], [r.getMessage() for r in lines]
    assert lines[0].exc_info is None  # one line, no traceback
    assert "GET /login/" in lines[0].getMessage()


@pytest.mark.django_db
def test_the_api_answers_the_error_shape_when_middleware_meets_a_database_outage(down_client) -> None:
    response = down_client.get("/api/v1/tickets")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert json.loads(response.content)["error"]["code"] == "database_unavailable"


@pytest.mark.django_db
def test_the_health_check_still_answers_when_the_database_is_up() -> None:
    assert Client().get("/healthz").status_code == 200


@pytest.mark.parametrize("exc", [
    OperationalError("terminating connection due to administrator command"),
    InterfaceError("connection already closed"),
    OperationalError("couldn't get a connection after 10.00 sec"),
    PoolTimeout("couldn't get a connection after 10.00 sec"),
])
def test_the_api_maps_database_errors_raised_in_views_to_503(exc: Exception, caplog) -> None:
    request = RequestFactory().post("/api/v1/tickets")
    with caplog.at_level(logging.WARNING):
        response = api.on_exception(request, exc)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = json.loads(response.content)
    assert body == {"error": {"code": "database_unavailable", "fields": {},
                              "message": "The database is unavailable for a moment; retry shortly."}}
    assert any("answered 503: POST /api/v1/tickets" in r.getMessage() for r in caplog.records)


class _Out(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(from_attributes=True)
    cc_ids: list[int]


class _TicketWhoseLazyQueryFails:
    @property
    def cc_ids(self) -> list[int]:
        raise OperationalError("terminating connection due to administrator command")


def test_a_database_error_in_a_lazy_query_while_building_the_response_is_a_503_not_a_400() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        _Out.model_validate(_TicketWhoseLazyQueryFails())
    detail = database_error_in_output(caught.value)
    assert detail == "OperationalError: terminating connection due to administrator command"
    response = api.on_exception(RequestFactory().post("/api/v1/tickets"), caught.value)
    assert response.status_code == 503
    assert json.loads(response.content)["error"]["code"] == "database_unavailable"


def test_a_response_that_does_not_fit_its_schema_is_our_error_not_the_clients() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        _Out.model_validate({"cc_ids": "not a list"})
    assert database_error_in_output(caught.value) is None
    # raised on, to handler500: a JSON 500 and a logged traceback, never a 400 blaming the request
    with pytest.raises(pydantic.ValidationError):
        api.on_exception(RequestFactory().post("/api/v1/tickets"), caught.value)


def _wrapped(driver_error: Exception) -> OperationalError:
    try:
        raise driver_error
    except Exception as exc:
        try:
            raise OperationalError(str(exc)) from exc
        except OperationalError as wrapped:
            return wrapped


@pytest.mark.parametrize(("driver_error", "lost"), [
    (psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly"), True),
    (psycopg.errors.AdminShutdown("terminating connection due to administrator command"), True),
    (psycopg.errors.CannotConnectNow("the database system is starting up"), True),
    (psycopg.errors.QueryCanceled("canceling statement due to statement timeout"), False),
    (psycopg.errors.DeadlockDetected("deadlock detected"), False),
    (PoolTimeout("couldn't get a connection after 10.00 sec"), False),  # busy, not lost: keep the pool
])
def test_only_lost_connections_drop_the_pooled_ones(driver_error: Exception, lost: bool) -> None:
    assert lost_connection(_wrapped(driver_error)) is lost
