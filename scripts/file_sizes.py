"""Source files over 500 lines under frontdesk/: Python, JavaScript, templates and stylesheets.

Counts the lines of every ``*.py``, ``*.js``, ``*.html`` and ``*.css`` file (migrations and the
vendored npm assets that scripts/setup.sh copies into ``static/vendor/`` excepted), prints each one
over the limit with its count, and exits 1 when there is one.

    python scripts/file_sizes.py                         # frontdesk/, at most 500 lines a file
    python scripts/file_sizes.py --max-lines 400 frontdesk/workspace
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "frontdesk"
MAX_LINES = 500
SUFFIXES = {".py", ".js", ".html", ".css"}


def _excluded(relative: Path) -> bool:
    parts = relative.parts
    if "migrations" in parts or "node_modules" in parts:
        return True
    # the npm packages setup.sh copies in (htmx, the icons): not ours to split
    return any(a == "static" and b == "vendor" for a, b in zip(parts, parts[1:], strict=False))


def sources(top: Path) -> list[Path]:
    return [
        path
        for path in sorted(top.rglob("*"))
        if path.suffix in SUFFIXES and path.is_file() and not _excluded(path.relative_to(top))
    ]


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def oversized(top: Path = ROOT / PACKAGE, limit: int = MAX_LINES) -> list[tuple[Path, int]]:
    """The source files under ``top`` with more than ``limit`` lines, with their counts."""
    counted = ((path, line_count(path)) for path in sources(top))
    return [(path, lines) for path, lines in counted if lines > limit]


def main(argv: list[str]) -> int:
    limit = MAX_LINES
    if argv[:1] == ["--max-lines"]:
        limit, argv = int(argv[1]), argv[2:]
    tops = [Path(arg).resolve() for arg in argv] or [ROOT / PACKAGE]
    found = [item for top in tops for item in oversized(top, limit)]
    for path, lines in found:
        print(f"{_shown(path)}: {lines} lines (more than {limit}): split it by responsibility")
    if found:
        return 1
    print(f"no source file over {limit} lines under {', '.join(_shown(top) for top in tops)}")
    return 0


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
