"""Finding where the quoted history of a reply starts, in plain text and in HTML.

Both splitters cut a message in two, the new part and the quoted history, and lose nothing:
the two halves together are the whole message. A forward is never cut (the forwarded message is
the point of it), nor a message whose every word would be folded away.

The HTML splitter never raises and never parses twice: one pass of a tag tokeniser (regular
expressions that cannot backtrack far) with limits on the input and the number of tags; it
falls back to no split. It recognises the markers mail clients leave (Gmail's ``gmail_quote``,
Apple Mail's and Thunderbird's ``<blockquote type="cite">`` and ``moz-cite-prefix``, Outlook's
``divRplyFwdMsg``/``appendonsend``, its bordered "From:" header block and ``hr#stopSpelling``,
Yahoo's ``yahoo_quoted``, a trailing ``<blockquote>``), and the same quote header lines as the
plain text ("On … wrote:", "-----Original Message-----", "From: … Sent: …").
"""

from __future__ import annotations

import re

from frontdesk.core.html import sanitize_html
from frontdesk.core.text import unescape

_QUOTE_HEADERS = [
    re.compile(r"^\s*On\b.{0,300}\bwrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*Le\b.{0,300}\ba écrit\s*:\s*$", re.IGNORECASE),
    re.compile(r"^\s*Am\b.{0,300}\bschrieb.{0,80}:\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*Forwarded message\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*_{10,}\s*$"),
]
_FROM_LINE = re.compile(r"^\s*\*?From:\*?\s", re.IGNORECASE)
_SENT_LINE = re.compile(r"^\s*\*?(Sent|Date):\*?\s", re.IGNORECASE)


def quote_start(lines: list[str]) -> int | None:
    """The index of the line where the quoted history starts ("On … wrote:", "-----Original
    Message-----", Outlook's "From: … Sent: …" block, trailing "> " lines), or None."""
    quoted_tail = len(lines)  # lines from here on all start with ">" (or are blank)
    while quoted_tail > 0 and (lines[quoted_tail - 1].startswith(">") or not lines[quoted_tail - 1].strip()):
        quoted_tail -= 1
    for i, line in enumerate(lines):
        if line.startswith(">") and i >= quoted_tail:
            return i
        if len(line) > 2000:  # a quote header is short; long lines are not tried against the patterns
            continue
        joined = line if i + 1 >= len(lines) else line + " " + lines[i + 1][:500]
        if any(p.match(line) or p.match(joined) for p in _QUOTE_HEADERS):
            return i
        if _FROM_LINE.match(line) and any(_SENT_LINE.match(x) for x in lines[i + 1 : i + 4]):
            return i
    return None


def split_text(text: str, *, forwarded: bool = False) -> tuple[str, str]:
    """(new part, quoted history) of a plain-text message; ("whole text", "") when not a reply."""
    whole = text.strip()
    if forwarded:
        return whole, ""
    lines = text.splitlines()
    cut = quote_start(lines)
    if cut is None:
        return whole, ""
    kept = "\n".join(lines[:cut]).strip()
    if not kept:
        return whole, ""
    return kept, "\n".join(lines[cut:]).strip()


# --- HTML -------------------------------------------------------------------------------------

MAX_HTML = 2_000_000  # as much as the sanitiser keeps
MAX_TAGS = 100_000

# A comment (an unterminated one runs to the end, as in browsers), a declaration, conditional or
# other bogus comment (<!DOCTYPE …>, Outlook's <![if …]>, <?xml …>, </ …>) up to the next ">", or
# a start or end tag. Possessive quantifiers and the stop at the next "<" keep every attempt short.
_TOKEN = re.compile(
    r"<!--(?:.*?-->|.*\Z)|<(?:[!?]|/(?![A-Za-z]))[^>]*+(?:>|\Z)"
    r"|<(/?)([A-Za-z][A-Za-z0-9:_-]{0,60}+)([^<>]{0,4000}+)>",
    re.S,
)
_ATTR = re.compile(r"""([A-Za-z_:][-\w:.]{0,60}+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]++)))?""")
_RAW_TEXT = frozenset({"script", "style", "title", "textarea", "xmp"})
_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
})
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "body", "center", "dd", "div", "dl", "dt", "fieldset",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr", "html", "li",
    "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "tfoot", "thead", "tr", "ul",
})
_CELL = frozenset({"td", "th"})
# containers of the quote (and any <blockquote>): they count only when nothing visible follows them
_CONTAINER_CLASSES = frozenset({"gmail_quote", "gmail_quote_container", "yahoo_quoted", "protonmail_quote"})
_CONTAINER_ID = "mail-editor-reference-message-container"
# headers of the quote: everything from them on is quoted (Outlook puts the quoted message after
# its header block, not inside it)
_HEADER_CLASSES = frozenset({"moz-cite-prefix", "outlookmessageheader"})
_HEADER_IDS = frozenset({"divrplyfwdmsg", "appendonsend", "stopspelling"})
_HEADER_WORD = re.compile(r"^\W{0,3}(from|von|de|da|van|fra|från|od)\s*:", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]*>")  # in sanitised HTML only
# what may trail the new part and goes with the quote instead: spaces, line breaks, empty lines
# (an opening tag with nothing after it in the new part opens the quote)
_BLANK = r"(?:\s|&nbsp;|&#160;|<br\b[^<>]{0,100}>|</?o:p>|</?span\b[^<>]{0,200}>)"
_TRAILING = re.compile(
    rf"(?:{_BLANK}|<(div|p)\b[^<>]{{0,300}}>{_BLANK}*</\1>|<(?:div|p|font)\b[^<>]{{0,300}}>)\Z", re.IGNORECASE
)


def _attributes(raw: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTR.finditer(raw):
        name = match.group(1).lower()
        if name not in found:
            found[name] = next((g for g in match.groups()[1:] if g is not None), "")
    return found


class _Scanner:
    """One pass over the tags and text: the lines of text (with the offset where each starts),
    the earliest quote header block, and the earliest quote container nothing visible follows."""

    def __init__(self, html: str) -> None:
        self.html = html
        self.lines: list[tuple[int, str]] = []
        self.header: int | None = None
        self.container: int | None = None  # reset by any visible content after it
        self.first_new = -1  # where the first visible content outside any quote container starts
        self.open_containers = 0
        self.stack: list[tuple[str, int, bool]] = []  # (tag, start offset, is a quote container)
        self.open_count: dict[str, int] = {}
        self.line_start = 0
        self.line_text: list[str] = []
        self.line_visible = False  # the current line shows text or an image
        self.border_top = -1  # a bordered block waiting for its first text ("From:" makes it a header)

    def visible(self, at: int) -> None:
        self.line_visible = True
        if self.first_new < 0 and not self.open_containers:
            self.first_new = at
        self.container = None  # a container before visible content is not trailing

    def header_at(self, at: int) -> None:
        if self.header is None and 0 <= self.first_new < at:
            self.header = at

    def end_line(self, next_start: int) -> None:
        text = _SPACE.sub(" ", "".join(self.line_text)).strip()
        if text:
            self.lines.append((self.line_start, text))
        self.line_text = []
        self.line_visible = False
        self.line_start = next_start

    def text(self, start: int, end: int) -> None:
        if start >= end:
            return
        value = unescape(self.html[start:end])
        if not value.strip():
            if self.line_text:
                self.line_text.append(" ")
            return
        if self.border_top >= 0:
            if _HEADER_WORD.match(value.strip()):
                self.header_at(self.border_top)
            self.border_top = -1
        self.line_text.append(value)
        self.visible(start)

    def close(self, name: str, end: int) -> None:
        """An end tag: close the innermost open element of that name and what it contains."""
        if not self.open_count.get(name):
            return
        while self.stack:
            tag, start, container = self.stack.pop()
            self.open_count[tag] -= 1
            self.open_containers -= container
            if container and 0 <= self.first_new < start:  # something new comes before it
                self.container = start if self.container is None else min(self.container, start)
            if tag == name:
                return

    def start_tag(self, name: str, attrs_raw: str, start: int, end: int) -> None:
        attrs = _attributes(attrs_raw) if attrs_raw.strip() else {}
        classes = set(attrs.get("class", "").lower().split())
        ident = attrs.get("id", "").lower()
        if name == "br":
            self.end_line(end)
        elif name in _BLOCK and self.line_visible:
            self.end_line(start)  # (an empty line keeps its start: the first block that opened it)
        elif name in _CELL and self.line_text:
            self.line_text.append(" ")
        if name == "img":
            self.visible(start)
        # a quote cut here takes the tags that opened its (still empty) line with it
        anchor = start if self.line_visible else self.line_start
        if classes & _HEADER_CLASSES or ident in _HEADER_IDS:
            self.header_at(anchor)
        if name in ("div", "p") and "border-top" in attrs.get("style", "").lower():
            self.border_top = anchor
        if name not in _VOID:
            container = name == "blockquote" or bool(classes & _CONTAINER_CLASSES) or ident.startswith(_CONTAINER_ID)
            self.stack.append((name, anchor, container))
            self.open_containers += container
            self.open_count[name] = self.open_count.get(name, 0) + 1

    def run(self) -> bool:
        """Scan the whole document; False when it has more tags than we read."""
        html, pos, tags = self.html, 0, 0
        while pos < len(html):
            match = _TOKEN.search(html, pos)
            if match is None:
                self.text(pos, len(html))
                break
            self.text(pos, match.start())
            pos = match.end()
            if match.group(2) is None:  # a comment or a declaration
                continue
            tags += 1
            if tags > MAX_TAGS:
                return False
            name = match.group(2).lower()
            if match.group(1):
                if name in _BLOCK:
                    self.end_line(match.end())
                self.close(name, match.end())
                continue
            self.start_tag(name, match.group(3), match.start(), match.end())
            if name in _RAW_TEXT:  # its content is not markup: skip to its end tag
                close = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(html, pos)
                pos = close.end() if close else len(html)
                self.close(name, pos)
        self.end_line(len(html))
        while self.stack:  # never closed: they run to the end
            self.close(self.stack[-1][0], len(html))
        return True

    def cut(self) -> int | None:
        """The earliest offset where the quote starts, when something visible comes before it."""
        cuts = [c for c in (self.header, self.container) if c is not None]
        index = quote_start([text for _, text in self.lines])
        if index is not None:
            cuts.append(self.lines[index][0])
        cuts = [c for c in cuts if 0 <= self.first_new < c]
        return min(cuts) if cuts else None


def _move_trailing_space(new: str, quoted: str) -> tuple[str, str]:
    """Line breaks and empty lines that led into the quote go with it: the new part ends with its text."""
    for _ in range(100):
        window = new[-600:]
        match = _TRAILING.search(window)
        if match is None:
            break
        size = len(window) - match.start()
        new, quoted = new[:-size], new[-size:] + quoted
    return new, quoted


def split_html(html: str, *, forwarded: bool = False) -> tuple[str, str]:
    """(new part, quoted history) of an HTML message, unsanitised: ``new + quoted == html``.
    (html, "") when there is no quote to fold, the message is a forward, or it is too large."""
    if forwarded or not html or len(html) > MAX_HTML:
        return html, ""
    scanner = _Scanner(html)
    cut = scanner.cut() if scanner.run() else None
    if cut is None:
        return html, ""
    new, quoted = _move_trailing_space(html[:cut], html[cut:])
    shown = sanitize_html(new)  # what a browser shows of the new part: never fold everything away
    if "<img" not in shown and not unescape(_TAG.sub("", shown)).strip():
        return html, ""
    return new, quoted
