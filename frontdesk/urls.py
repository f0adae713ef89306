from django.contrib import admin
from django.urls import include, path

from frontdesk.api import api
from frontdesk.core import views as core_views

# Not found and server errors inside the workspace's frame for agents, JSON under /api/; a database
# outage raised outside a view's own handling (middleware reads sessions) still answers 503.
handler404 = "frontdesk.workspace.views_errors.not_found"
handler500 = "frontdesk.workspace.views_errors.server_error"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("frontdesk.workspace.urls")),
]
