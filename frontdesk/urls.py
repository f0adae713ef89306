from django.contrib import admin
from django.urls import include, path

from frontdesk.api import api
from frontdesk.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("frontdesk.workspace.urls")),
]
