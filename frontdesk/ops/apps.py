from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: running the processes, demo data, benchmarks and admin commands."""

    name = "frontdesk.ops"
    label = "ops"
    verbose_name = "Operations"
