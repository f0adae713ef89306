"""axe-core (from npm, installed by scripts/setup.sh into node_modules) injected into a Playwright
page: ``violations(page)`` runs it on the page as it is now (an open menu, a dialog) and returns
what it finds; ``assert_accessible`` fails with a readable list."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA, and the best practices a screen-reader user notices (landmarks, headings)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@lru_cache(maxsize=1)
def _source() -> str:
    if not AXE.exists():
        raise AssertionError(f"{AXE} is missing: `make test` installs axe-core from npm (package.json)")
    return AXE.read_text(encoding="utf-8")


def violations(page: Any, *, include: str | None = None) -> list[dict[str, Any]]:
    """axe's violations on ``page`` (within the ``include`` selector when given)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluated through the DevTools protocol: the page's CSP (script-src 'self') does not apply,
        # and the page itself is not changed to allow it
        page.evaluate(f"() => {{ {_source()}\n; return typeof window.axe; }}")
    context = include or "document"
    found = page.evaluate(
        """async ([context, tags]) => {
            const target = context === "document" ? document : document.querySelector(context);
            const options = {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]};
            const result = await window.axe.run(target, options);
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(" "), summary: n.failureSummary}))}));
        }""",
        [context, TAGS],
    )
    return list(found)


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for v in found:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {n['target']}: {(n['summary'] or '').splitlines()[-1].strip()}" for n in v["nodes"]]
    return "\n".join(lines)


def assert_accessible(page: Any, where: str, *, include: str | None = None) -> None:
    found = violations(page, include=include)
    assert not found, f"axe-core finds {len(found)} violation(s) on {where}:\n{describe(found)}"
