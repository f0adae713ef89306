from django.contrib import admin
from django.urls import include, path

from frontdesk.api import api
from frontdesk.core import views as core_views

# A database outage raised outside a view's own handling (middleware reads sessions) answers 503.
handler500 = "frontdesk.core.views.server_error"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("frontdesk.workspace.urls")),
]
