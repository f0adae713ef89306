"""The `frontdesk` command as an operator uses it."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from frontdesk.accounts.models import ApiToken, User
from frontdesk.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parent.parent
SAFE = {
    "SECRET_KEY": "k" * 20 + "-a-long-random-test-only-secret-value",
    "DEBUG": False,
    "ALLOWED_HOSTS": ["support.example.com"],
}


@pytest.fixture(autouse=True)
def _keep_test_connection(monkeypatch):  # type: ignore[no-untyped-def]
    """Management commands close every connection when they finish; inside a test transaction on
    PostgreSQL that would drop the test's connection, so keep it open while commands run in-process."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)


def test_help_lists_every_command():
    result = subprocess.run(
        [sys.executable, "-m", "frontdesk.cli", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    for name in COMMANDS:
        assert f"  {name} " in result.stdout, name


def test_unknown_command_fails_with_usage(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2
    assert "unknown command 'frobnicate'" in capsys.readouterr().err


@pytest.mark.django_db
def test_createadmin_creates_an_admin_who_can_sign_in(capsys):
    main(["createadmin", "--email", "Boss@Example.com", "--password", "a-long-admin-secret"])
    assert "Administrator boss@example.com created." in capsys.readouterr().out
    user = User.objects.get(email="boss@example.com")
    assert user.role == "admin" and user.check_password("a-long-admin-secret")


@pytest.mark.django_db
def test_createadmin_refuses_a_weak_password(capsys):
    with pytest.raises(SystemExit):
        main(["createadmin", "--email", "weak@example.com", "--password", "short"])
    assert "password" in capsys.readouterr().err
    assert not User.objects.filter(email="weak@example.com").exists()


@pytest.mark.django_db
def test_token_create_prints_a_token_that_authenticates(agent, capsys):
    main(["token", "create", agent.email, "--name", "script"])
    secret = capsys.readouterr().out.strip()
    assert ApiToken.objects.get(user=agent).name == "script"
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.json()["email"] == agent.email

    token = ApiToken.objects.get(user=agent)
    main(["token", "revoke", str(token.pk)])
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


@pytest.mark.django_db
def test_events_prints_the_event_table(capsys):
    main(["events"])
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["event", "handlers"]
    assert "user.created" in out and "brand.saved" in out


@pytest.mark.django_db
def test_check_deploy_names_the_old_public_secret_key(capsys, settings):
    settings.SECRET_KEY = settings.INSECURE_DEFAULT_SECRET_KEY
    settings.SECRET_KEY_FROM_ENV = True
    with pytest.raises(SystemExit) as exc:
        main(["check", "--deploy"])
    assert exc.value.code != 0
    assert "FRONTDESK_SECRET_KEY is the public default" in capsys.readouterr().err


@pytest.mark.django_db
def test_check_refuses_a_scaled_node_without_a_shared_secret(capsys, settings):
    with override_settings(**{**SAFE, "EMBEDDED": False, "SECRET_KEY_FROM_ENV": False}), \
            pytest.raises(SystemExit) as exc:
        main(["check"])
    assert exc.value.code != 0
    assert "FRONTDESK_SECRET_KEY is not set: every node must sign with the same key" in capsys.readouterr().err


def test_an_embedded_install_makes_its_own_secret_once(tmp_path):
    """No public default: the first start writes a random key to var/, later starts reuse it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDESK_", "DJANGO_"))}
    code = "from django.conf import settings; print('KEY=' + settings.SECRET_KEY)"

    def key(var: Path) -> str:
        done = subprocess.run([sys.executable, "-m", "frontdesk.cli", "shell", "-c", code], cwd=ROOT,
                              env={**env, "FRONTDESK_VAR_DIR": str(var)}, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout.split("KEY=")[1].strip()

    first = key(tmp_path / "a")
    assert len(first) >= 60 and first != "frontdesk-embedded-insecure-default-key-change-me"
    assert key(tmp_path / "a") == first
    assert (tmp_path / "a" / "secret_key").stat().st_mode & 0o077 == 0, "readable by its owner only"
    assert key(tmp_path / "b") != first, "every install has its own"


@pytest.mark.django_db
def test_check_deploy_passes_with_safe_settings(capsys):
    with override_settings(**SAFE):
        main(["check", "--deploy"])
    assert "Configuration OK." in capsys.readouterr().out


def test_mail_is_a_top_level_command():
    result = subprocess.run(
        [sys.executable, "-m", "frontdesk.cli", "mail", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert "unknown command" not in result.stderr
    assert "ingest" in result.stdout and "quarantine" in result.stdout


def test_mail_ingest_of_empty_input_exits_65_as_a_pipe_transport_expects():
    result = subprocess.run(
        [sys.executable, "-m", "frontdesk.cli", "mail", "ingest", "-"],
        cwd=ROOT, input=b"\n", capture_output=True, timeout=30,
    )
    assert result.returncode == 65  # EX_DATAERR: the MTA bounces it
    assert b"The message is empty" in result.stderr


MESSAGE = (
    b"From: carla@customer.test\nTo: support@frontdesk.test\nSubject: Hi\nMessage-ID: <cli-1@customer.test>\n\nHello\n"
)


@pytest.mark.django_db
def test_mail_ingest_exits_0_once_stored_whatever_the_outcome(tmp_path, settings, capsys):
    from frontdesk.brands.services import default_brand
    from frontdesk.channels.email.models import InboundEmail, Mailbox

    settings.MEDIA_ROOT = str(tmp_path / "media")
    Mailbox.objects.create(
        name="Support", address="support@frontdesk.test", brand=default_brand(), max_message_bytes=10
    )
    path = tmp_path / "m.eml"
    path.write_bytes(MESSAGE)
    main(["mail", "ingest", str(path), "--mailbox", "support@frontdesk.test"])  # returns: exit status 0
    row = InboundEmail.objects.get()
    assert capsys.readouterr().out.startswith(f"inbound {row.pk}: quarantined (too large")


@pytest.mark.django_db
def test_mail_ingest_exits_75_when_the_message_cannot_be_stored(tmp_path, settings, capsys):
    from frontdesk.channels.email.models import InboundEmail

    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.MEDIA_ROOT = str(blocker / "media")  # the disk refuses the raw file
    path = tmp_path / "m.eml"
    path.write_bytes(MESSAGE)
    with pytest.raises(SystemExit) as exc:
        main(["mail", "ingest", str(path)])
    assert exc.value.code == 75  # EX_TEMPFAIL: the MTA keeps it and tries again
    assert "Could not store the message" in capsys.readouterr().err
    assert not InboundEmail.objects.exists()


def _settings_in_a_fresh_process(**env: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL)"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_SMTP")}
    environ.update(env, DJANGO_SETTINGS_MODULE="frontdesk.settings")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True,
                          timeout=60)


def test_the_sites_default_smtp_server_is_configured_by_environment():
    default = _settings_in_a_fresh_process()
    assert default.stdout.split() == ["localhost", "25", "False", "False"], default.stderr
    configured = _settings_in_a_fresh_process(FRONTDESK_SMTP_HOST="smtp.example.com", FRONTDESK_SMTP_PORT="587",
                                              FRONTDESK_SMTP_USER="desk", FRONTDESK_SMTP_STARTTLS="true")
    assert configured.stdout.split() == ["smtp.example.com", "587", "desk", "True", "False"], configured.stderr
    both = _settings_in_a_fresh_process(FRONTDESK_SMTP_STARTTLS="true", FRONTDESK_SMTP_SSL="true")
    assert both.returncode != 0 and "not both" in both.stderr


def test_every_https_warning_of_check_deploy_has_a_setting(tmp_path):
    """Django's HTTPS warnings each have a FRONTDESK_* variable that fixes them: FRONTDESK_HSTS_SECONDS (W004),
    FRONTDESK_SSL_REDIRECT (W008), FRONTDESK_HSTS_INCLUDE_SUBDOMAINS (W005), FRONTDESK_HSTS_PRELOAD (W021),
    FRONTDESK_SECURE_COOKIES (W012, W016)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDESK_", "DJANGO_"))}
    env.update(FRONTDESK_VAR_DIR=str(tmp_path), FRONTDESK_SECRET_KEY=secrets.token_urlsafe(50),
               FRONTDESK_ALLOWED_HOSTS="help.example.com")
    command = [sys.executable, "-m", "frontdesk.cli", "manage", "check", "--deploy", "--fail-level", "WARNING"]
    before = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert before.returncode != 0 and "security.W004" in before.stderr and "security.W008" in before.stderr
    env.update(FRONTDESK_HSTS_SECONDS="31536000", FRONTDESK_SSL_REDIRECT="true", FRONTDESK_SECURE_COOKIES="true",
               FRONTDESK_HSTS_INCLUDE_SUBDOMAINS="true", FRONTDESK_HSTS_PRELOAD="true")
    after = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert after.returncode == 0, after.stderr
