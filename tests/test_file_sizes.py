"""No source file over 500 lines under frontdesk/ (scripts/file_sizes.py)."""

from __future__ import annotations

from pathlib import Path

from tests.scripts_support import load_script, run_script


def test_no_source_file_over_500_lines_in_frontdesk() -> None:
    done = run_script("file_sizes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no source file over 500 lines under frontdesk" in done.stdout


def test_the_checker_finds_an_oversized_file(tmp_path: Path) -> None:
    file_sizes = load_script("file_sizes")
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

    done = run_script("file_sizes", str(top))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "views.py: 501 lines" in done.stdout and "page.html: 600 lines" in done.stdout
    assert "composer.js" not in done.stdout and "0001_initial" not in done.stdout and "htmx" not in done.stdout
