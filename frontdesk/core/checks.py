"""Configuration checks run by `frontdesk check` and at start-up of the scaled shape."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register


def unsafe_settings() -> list[str]:
    """Problems that make a deployment unsafe, each with what to set."""
    problems: list[str] = []
    if settings.DEBUG:
        problems.append("FRONTDESK_DEBUG is on: set FRONTDESK_DEBUG=false (debug pages leak data).")
    if not settings.EMBEDDED and not settings.SECRET_KEY_FROM_ENV:
        problems.append(
            "FRONTDESK_SECRET_KEY is not set: every node must sign with the same key, so set it to one long "
            "random value on all of them, e.g. `python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    elif settings.SECRET_KEY == settings.INSECURE_DEFAULT_SECRET_KEY or len(settings.SECRET_KEY) < 32:
        problems.append(
            "FRONTDESK_SECRET_KEY is the public default or shorter than 32 characters: set it to a long "
            "random value, e.g. `python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    if "*" in settings.ALLOWED_HOSTS or not settings.ALLOWED_HOSTS:
        problems.append(
            "FRONTDESK_ALLOWED_HOSTS is open or empty: set it to the host names users reach, "
            "e.g. FRONTDESK_ALLOWED_HOSTS=support.example.com."
        )
    return problems


@register("frontdesk", deploy=True)
def deploy_checks(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    return [Error(p, id=f"frontdesk.E{i:03d}") for i, p in enumerate(unsafe_settings(), start=1)]


@register("frontdesk")
def embedded_checks(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    if settings.EMBEDDED or not unsafe_settings():
        return []
    return [Warning(p, id=f"frontdesk.W{i:03d}") for i, p in enumerate(unsafe_settings(), start=1)]
