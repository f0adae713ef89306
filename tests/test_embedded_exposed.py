"""An embedded install reachable from other machines never runs with the demo's public password."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from frontdesk.accounts.models import User
from frontdesk.ops import serve
from frontdesk.ops.demo import retire_demo_sign_ins
from frontdesk.ops.demo_accounts import DEMO_PASSWORD, DEMO_SIGN_INS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def demo_admin(db):  # type: ignore[no-untyped-def]
    return User.objects.create_user(email=DEMO_SIGN_INS[0][1], password=DEMO_PASSWORD, role="admin")


@pytest.mark.django_db
def test_exposed_means_beyond_loopback(settings) -> None:
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
    assert not serve.exposed("127.0.0.1")
    assert serve.exposed("0.0.0.0")
    settings.ALLOWED_HOSTS = ["localhost", "support.example.com"]
    assert serve.exposed("127.0.0.1"), "a proxy in front makes a loopback listener public"


@pytest.mark.django_db
def test_the_demo_password_blocks_an_exposed_start_until_retired(settings, demo_admin, capsys) -> None:
    settings.ALLOWED_HOSTS = ["support.example.com"]
    with pytest.raises(SystemExit) as exc:
        serve.refuse_unsafe("127.0.0.1")
    assert exc.value.code == 3
    assert DEMO_SIGN_INS[0][1] in capsys.readouterr().err
    User.objects.create_user(email="owner@example.com", password="owners-own-password", role="admin")
    assert retire_demo_sign_ins() == 1
    serve.refuse_unsafe("127.0.0.1")  # no exit now


@pytest.mark.django_db
def test_a_local_start_with_the_demo_is_fine(settings, demo_admin) -> None:
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    serve.refuse_unsafe("127.0.0.1")


def test_run_refuses_to_load_the_demo_on_an_exposed_server(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDESK_", "DJANGO_"))}
    env.update(FRONTDESK_VAR_DIR=str(tmp_path), FRONTDESK_ALLOWED_HOSTS="support.example.com")
    done = subprocess.run([sys.executable, "-m", "frontdesk.cli", "run"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode != 0
    assert "Not loading the demo" in done.stderr
