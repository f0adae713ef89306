"""No source file over 500 lines under frontdesk/ (scripts/file_sizes.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "file_sizes.py"


def _checker() -> ModuleType:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import file_sizes
    finally:
        sys.path.remove(str(SCRIPT.parent))
    return file_sizes


def test_no_source_file_over_500_lines_in_frontdesk() -> None:
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no source file over 500 lines under frontdesk" in done.stdout


def test_the_checker_finds_an_oversized_file(tmp_path: Path) -> None:
    file_sizes = _checker()
    top = tmp_path / "frontdesk"
    (top / "app" / "static" / "app").mkdir(parents=True)
    (top / "app" / "templates").mkdir()
    (top / "app" / "migrations").mkdir()
    (top / "static" / "vendor").mkdir(parents=True)
    (top / "app" / "views.py").write_text("x = 1\n" * 501)
    (top / "app" / "static" / "app" / "composer.js").write_text("let a;\n" * 500)  # at the limit: fine
    (top / "app" / "templates" / "page.html").write_text("<p>\n" * 600)
    (top / "app" / "notes.txt").write_text("a line\n" * 900)  # not a source file
    (top / "app" / "migrations" / "0001_initial.py").write_text("x = 1\n" * 900)
    (top / "static" / "vendor" / "htmx.min.js").write_text("x\n" * 900)
    assert file_sizes.oversized(top) == [
        (top / "app" / "templates" / "page.html", 600),
        (top / "app" / "views.py", 501),
    ]

    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(SCRIPT), str(top)], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "views.py: 501 lines" in done.stdout and "page.html: 600 lines" in done.stdout
    assert "composer.js" not in done.stdout and "0001_initial" not in done.stdout and "htmx" not in done.stdout
