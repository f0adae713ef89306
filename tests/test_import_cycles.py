"""No import circles, counting imports inside functions (scripts/import_cycles.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "import_cycles.py"


def test_no_import_circle_in_the_email_channel() -> None:
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(SCRIPT), "frontdesk.channels.email"], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_checker_finds_a_circle_through_a_function_level_import(tmp_path: Path) -> None:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import import_cycles
    finally:
        sys.path.remove(str(SCRIPT.parent))
    package = tmp_path / "frontdesk" / "demo"
    package.mkdir(parents=True)
    (tmp_path / "frontdesk" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from frontdesk.demo.b import f\n")
    (package / "b.py").write_text("def f():\n    from frontdesk.demo import a\n")
    (package / "c.py").write_text("from . import a\n")
    assert import_cycles.cycles(import_cycles.graph(tmp_path)) == [["frontdesk.demo.a", "frontdesk.demo.b"]]
