"""Workspace URLs: each area of the workspace keeps its own list (urls_*.py)."""

from __future__ import annotations

from django.urls import path

from frontdesk.workspace import views_auth
from frontdesk.workspace.urls_composer import urlpatterns as composer_urls
from frontdesk.workspace.urls_customers import urlpatterns as customer_urls
from frontdesk.workspace.urls_lists import urlpatterns as list_urls
from frontdesk.workspace.urls_settings import urlpatterns as settings_urls
from frontdesk.workspace.urls_ticket import urlpatterns as ticket_urls

app_name = "workspace"

urlpatterns = [
    path("", views_auth.home, name="home"),
    path("login/", views_auth.login_page, name="login"),
    path("logout/", views_auth.logout_page, name="logout"),
    *list_urls,
    *ticket_urls,
    *composer_urls,
    *customer_urls,
    *settings_urls,
]
