from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "frontdesk.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from frontdesk.core import checks  # noqa: F401  (registers deploy checks)
        from frontdesk.core.events import registry
        from frontdesk.core.jobs import registry as jobs

        registry.autodiscover()
        jobs.discover()  # every process knows every task, whatever it imported before
