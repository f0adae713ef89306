"""The text version of what an agent wrote in the composer's formatting editor.

The editor posts HTML; the view sanitises it (core/html.py) and derives the text ``body`` from
the sanitised HTML here, so the two always say the same thing: list items keep a ``-`` or their
number, quotes a ``>``, links their address, inline images a placeholder. One linear pass over
``core.text.tokens`` (DESIGN.md §4, rule 7).
"""

from __future__ import annotations

import re
from typing import Final

from frontdesk.core.text import MAX_TEXT_HTML, tokens, unescape, unescape_attribute

_BLOCKS: Final = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "li", "tr", "table", "hr",
})
_SPACES = re.compile(r"[\t\n\f\r ]+")
_BLANK_RUNS = re.compile(r"\n\n\n+")


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.line: list[str] = []
        self.quote = 0
        self.bullet = ""  # the marker the next line of text starts with (a list item's)

    def text(self, value: str, keep_spaces: bool = False) -> None:
        if not self.line and not keep_spaces:
            value = value.lstrip(" ")  # the start of a line, outside <pre>
        if not value:
            return
        if not self.line and self.bullet:
            self.line.append(self.bullet)
            self.bullet = ""
        self.line.append(value)

    def end_line(self, force: bool = False) -> None:
        """End the current line; ``force`` writes an empty one too (a <br> on an empty line)."""
        text = "".join(self.line).rstrip(" ")
        self.line = []
        if text or force:
            self.lines.append("> " * self.quote + text if text else ">" * self.quote)


def composer_text(html: str) -> str:
    """The plain text of sanitised composer HTML."""
    out = _Writer()
    lists: list[list[int]] = []  # one entry per open list: [next number] (0 for a bulleted list)
    pre = 0
    link: str | None = None
    link_text: list[str] = []
    for kind, name, attributes in tokens(html[:MAX_TEXT_HTML]):
        if kind == "text":
            value = unescape(name).replace("\xa0", " ")
            if not pre:
                value = _SPACES.sub(" ", value)
            if pre and "\n" in value:
                first, *rest = value.split("\n")
                out.text(first, keep_spaces=True)
                for part in rest:
                    out.end_line(force=True)
                    out.text(part, keep_spaces=True)
            else:
                out.text(value, keep_spaces=bool(pre))
            if link is not None:
                link_text.append(value)
            continue
        if kind not in ("start", "end"):
            continue
        attrs = dict(attributes)
        if name == "br" and kind == "start":
            out.end_line(force=True)
        elif name == "img" and kind == "start":
            alt = unescape_attribute(attrs.get("alt", "")).strip()
            out.text(f"[{alt or 'image'}]")
        elif name == "a":
            if kind == "start":
                link, link_text = unescape_attribute(attrs.get("href", "")).strip(), []
            else:
                shown = "".join(link_text).strip()
                target = link or ""
                if target and target not in (shown, f"mailto:{shown}"):
                    out.text(f" ({target.removeprefix('mailto:')})")
                link = None
        elif name in _BLOCKS:
            out.end_line()
            if name == "blockquote":
                out.quote = max(0, out.quote + (1 if kind == "start" else -1))
            elif name == "pre":
                pre = max(0, pre + (1 if kind == "start" else -1))
            elif name in ("ul", "ol"):
                if kind == "start":
                    lists.append([1 if name == "ol" else 0])
                elif lists:
                    lists.pop()
            elif name == "li" and kind == "start":
                depth = max(0, len(lists) - 1)
                number = lists[-1][0] if lists else 0
                if lists and number:
                    lists[-1][0] += 1
                out.bullet = "  " * depth + (f"{number}. " if number else "- ")
            elif name == "hr":
                out.lines.append("---")
    out.end_line()
    text = "\n".join(line.rstrip() for line in out.lines)
    return _BLANK_RUNS.sub("\n\n", text).strip()
