from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """The agent workspace: server-rendered pages (Django templates + HTMX) over the same
    services and selectors as the API."""

    name = "frontdesk.workspace"
    label = "workspace"
    verbose_name = "Agent workspace"
