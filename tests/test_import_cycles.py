"""No import circles, counting imports inside functions (scripts/import_cycles.py)."""

from __future__ import annotations

from pathlib import Path

from tests.scripts_support import load_script, run_script


def test_no_import_circle_in_frontdesk() -> None:
    done = run_script("import_cycles", "frontdesk")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no import circles under frontdesk" in done.stdout


def test_the_checker_finds_a_circle_through_a_package_init(tmp_path: Path) -> None:
    # the shape of the circle once in frontdesk.core: a package's __init__ imports its recorder, whose
    # lazy import reaches a module outside the package that imports one of the package's submodules
    import_cycles = load_script("import_cycles")
    (tmp_path / "frontdesk" / "events").mkdir(parents=True)
    (tmp_path / "frontdesk" / "__init__.py").write_text("")
    (tmp_path / "frontdesk" / "events" / "__init__.py").write_text("from frontdesk.events.recorder import record\n")
    (tmp_path / "frontdesk" / "events" / "recorder.py").write_text("def record():\n    from frontdesk import tasks\n")
    (tmp_path / "frontdesk" / "events" / "dispatcher.py").write_text("")
    (tmp_path / "frontdesk" / "tasks.py").write_text("from frontdesk.events import dispatcher\n")
    circle = ["frontdesk.events", "frontdesk.events.recorder", "frontdesk.tasks"]
    assert import_cycles.cycles_under(["frontdesk"], tmp_path) == [circle]
    assert import_cycles.cycles_under(["frontdesk.other"], tmp_path) == []
    (tmp_path / "frontdesk" / "events" / "recorder.py").write_text("def record():\n    pass\n")
    assert import_cycles.cycles_under(["frontdesk"], tmp_path) == []


def test_the_checker_finds_a_circle_through_a_function_level_import(tmp_path: Path) -> None:
    import_cycles = load_script("import_cycles")
    package = tmp_path / "frontdesk" / "demo"
    package.mkdir(parents=True)
    (tmp_path / "frontdesk" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from frontdesk.demo.b import f\n")
    (package / "b.py").write_text("def f():\n    from frontdesk.demo import a\n")
    (package / "c.py").write_text("from . import a\n")
    assert import_cycles.cycles(import_cycles.graph(tmp_path)) == [["frontdesk.demo.a", "frontdesk.demo.b"]]
