"""The frame around every page: the brand, the favicon, 404 and 500 inside it, and where ``/`` leads."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path

from frontdesk.brands.models import Brand
from frontdesk.core.actor import Actor
from frontdesk.testing import factories as f
from frontdesk.testing.fixtures import client_for
from frontdesk.tickets.models import View

pytestmark = pytest.mark.django_db


def boom(request: HttpRequest) -> HttpResponse:
    request.user.is_authenticated  # noqa: B018 - the user is read, as every page does
    raise RuntimeError("kaboom")


# a URLconf with a view that fails, around the real one (its handlers are the project's)
urlpatterns = [path("boom/", boom), path("api/v1/boom/", boom), path("", include("frontdesk.urls"))]
handler404 = "frontdesk.workspace.views_errors.not_found"
handler500 = "frontdesk.workspace.views_errors.server_error"


def test_an_unknown_page_is_a_404_inside_the_frame_for_agents(agent) -> None:  # type: ignore[no-untyped-def]
    response = client_for(agent).get("/no/such/<page>/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and 'class="sidebar"' in html and 'class="topbar"' in html
    assert "/no/such/&lt;page&gt;/" in html and "<page>" not in html
    assert 'href="/"' in html  # back to the queue


def test_a_404_for_strangers_is_plain_and_offers_to_sign_in() -> None:
    response = Client().get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and 'class="sidebar"' not in html and 'href="/login/"' in html


def test_api_paths_keep_json_errors(agent, api_for) -> None:  # type: ignore[no-untyped-def]
    response = api_for(agent).get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert response.json() == {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}
    missing = api_for(agent).get("/api/v1/tickets/999999")  # the API's own 404 is unchanged
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


@pytest.mark.urls(__name__)
def test_a_server_error_is_shown_inside_the_frame_without_the_navigations_queries(
    agent, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(agent, raise_request_exception=False)
    View.objects.create(name="My open tickets", owner=agent)
    with django_assert_max_num_queries(2):  # the session and the user, nothing for the frame
        response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html and 'class="topbar"' in html
    assert "My open tickets" not in html and "kaboom" not in html


@pytest.mark.urls(__name__)
def test_a_server_error_on_the_api_is_json_and_for_strangers_plain(agent) -> None:  # type: ignore[no-untyped-def]
    api = client_for(agent, raise_request_exception=False).get("/api/v1/boom/")
    assert api.status_code == 500
    assert api.json()["error"]["code"] == "server_error"
    plain = Client(raise_request_exception=False).get("/boom/")
    assert plain.status_code == 500 and 'class="topbar"' not in plain.content.decode()


@pytest.mark.urls(__name__)
def test_when_the_frame_cannot_be_drawn_the_plain_page_answers(agent, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from frontdesk.workspace import views_errors

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the template is broken too")

    monkeypatch.setattr(views_errors, "render_to_string", broken)
    response = client_for(agent, raise_request_exception=False).get("/boom/")
    assert response.status_code == 500 and b"Server Error (500)" in response.content


def test_home_opens_the_agents_first_view(agent) -> None:  # type: ignore[no-untyped-def]
    View.objects.all().delete()  # the shared views a new install starts with
    client = client_for(agent)
    assert client.get("/")["Location"] == "/views/"  # no view yet: the list of views
    later = View.objects.create(name="Later", owner=agent, position=5)
    first = View.objects.create(name="My open tickets", owner=agent, position=1)
    View.objects.create(name="Someone else's", owner=f.UserFactory(), position=0)
    assert client.get("/")["Location"] == f"/views/{first.pk}/"
    first.delete()
    assert client.get("/")["Location"] == f"/views/{later.pk}/"


def test_home_for_strangers_and_customers_is_the_welcome_page(customer_user) -> None:  # type: ignore[no-untyped-def]
    assert Client().get("/").status_code == 200
    assert client_for(customer_user).get("/").status_code == 200


def test_the_frame_shows_the_default_brand_its_colour_and_the_favicon(agent) -> None:  # type: ignore[no-untyped-def]
    from frontdesk.brands.services import brand_save

    admin = f.UserFactory(role="admin")
    default = Brand.objects.filter(is_default=True).first()
    brand_save(actor=Actor.of(admin), brand=default, name="Acme Help", primary_color="#FFD60A",
               is_default=True)
    html = client_for(agent).get("/tickets/").content.decode()
    assert 'data-brand-accent="#ffd60a" data-brand-ink="#111827"' in html
    assert '<span class="brand-name">Acme Help</span>' in html and "· Acme Help</title>" in html
    assert 'rel="icon" href="/static/workspace/favicon.svg"' in html
    assert "style=" not in html and "<style" not in html  # CSP: no inline styles


def test_an_unchecked_colour_never_reaches_the_page(agent) -> None:  # type: ignore[no-untyped-def]
    assert Brand.objects.filter(is_default=True).update(primary_color="red;}*{") == 1  # past brand_save
    html = client_for(agent).get("/tickets/").content.decode()
    assert 'data-brand-accent="#1f6feb"' in html and "red;}" not in html


def test_the_frame_has_icons_and_the_agents_avatar(agent) -> None:  # type: ignore[no-untyped-def]
    html = client_for(agent).get("/tickets/").content.decode()
    for name in ("bell", "ticket", "users", "search", "log-out"):
        assert f'class="icon icon-{name}"' in html
    assert 'class="avatar avatar-sm avatar-c' in html
    assert '<span class="visually-hidden">Sign out</span>' in html
