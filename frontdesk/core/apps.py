from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "frontdesk.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from frontdesk.core import checks  # noqa: F401  (registers deploy checks)
        from frontdesk.core.events import registry

        registry.autodiscover()
