from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "frontdesk.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from frontdesk.core import checks  # noqa: F401  (registers deploy checks)
        from frontdesk.core.events import recorder, registry
        from frontdesk.core.jobs import registry as jobs
        from frontdesk.core.tasks import dispatch_events_task

        registry.autodiscover()
        jobs.discover()  # every process knows every task, whatever it imported before
        # after commit, the recorder enqueues this task, once per write (the events package never imports the queue)
        recorder.set_dispatch_enqueuer(dispatch_events_task)
