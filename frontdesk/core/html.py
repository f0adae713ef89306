"""Sanitising HTML that came from outside (customers, mail clients, API callers).

Everything stored as HTML goes through ``sanitize_html`` first, so no page ever has to trust it:
scripts, styles, event handlers, forms, frames, foreign content (SVG, MathML) and every URL but
``http(s)``/``mailto``/``tel`` links and ``cid:``/``data:image`` images are removed.

It runs in linear time (DESIGN.md §4, rule 7). nh3 (html5ever) is not linear on every input: it
slows sharply with nesting depth, with long runs of text that needs escaping and with content
misplaced in tables. So one linear pass (``normalise``, on ``core.text.tokens``) first rewrites the
input into a form it handles in linear time, and nh3 then has the last word on what is kept:

- at most ``MAX_HTML`` characters are read;
- only the allowed tags and attributes are written out, properly nested and closed, with
  character references re-encoded (so nh3 reads exactly what was decided here);
- an element deeper than ``MAX_DEPTH`` loses its tags (its content stays, one level up);
- content directly in a table gets a cell (a browser moves it before the table), rows and
  sections are opened where a browser opens them;
- text is written in runs of at most ``TEXT_RUN`` characters (split by empty comments, which nh3
  removes: the text shown is the same);
- attribute values are capped (``MAX_ATTRIBUTE``, ``MAX_URL``; a data URL must be plain base64);
- ``script``, ``style``, ``title``, frames and the content of ``svg``/``math`` lose their markup
  before any parser can switch modes on them.

What a cap cuts is not lost: an email's raw original is stored, and an API caller's message
keeps its text ``body``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

import nh3

from frontdesk.core.text import RAW_DROPPED, tokens, unescape, unescape_attribute

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
# A remote image of received mail keeps its address here, not in src: it loads only when the agent
# asks ("Load remote images" on the ticket page), as mail clients do, so opening a message tells
# its sender nothing. Only the sanitiser writes it; one in the input is dropped.
REMOTE_SRC: Final = "data-remote-src"
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", REMOTE_SRC},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "*": {"dir", "lang"},
}
# nh3 checks every URL against these too; which URL may go where is decided by _allowed_url.
URL_SCHEMES = {"http", "https", "mailto", "tel", "cid", "data"}

MAX_HTML: Final = 2_000_000  # characters read; the rest is cut before parsing
MAX_DEPTH: Final = 100  # elements nested deeper lose their tags
TEXT_RUN: Final = 200  # characters of text nh3 reads in one run
MAX_ATTRIBUTE: Final = 1_000  # characters of an ordinary attribute's value
MAX_URL: Final = 8_192  # longer links and remote images are dropped
MAX_DATA_URL: Final = MAX_HTML  # an inline image is bounded by the input

_VOID: Final = frozenset({"br", "hr", "img"})
_SECTIONS: Final = frozenset({"tbody", "thead", "tfoot"})
_CELLS: Final = frozenset({"td", "th"})
_TABLE_PARTS: Final = _SECTIONS | _CELLS | {"table", "tr"}
_NOT_IN_CELL: Final = _SECTIONS | {"table", "tr"}  # content directly in these is misplaced
_HEADINGS: Final = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CLOSES_P: Final = _HEADINGS | {"blockquote", "div", "hr", "ol", "p", "pre", "table", "ul"}
_ENDS_LI_SEARCH: Final = _HEADINGS | {"blockquote", "ol", "pre", "ul"}  # an open <li> above these stays open
# foreign content: a browser parses it by other rules (the mXSS family); its markup is dropped
# (its text kept) until it ends or an HTML tag that a browser lets break out of it comes
_FOREIGN: Final = frozenset({"svg", "math"})
_BREAKS_OUT: Final = frozenset({
    "b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt", "em", "embed", "h1",
    "h2", "h3", "h4", "h5", "h6", "head", "hr", "i", "img", "li", "listing", "menu", "meta", "nobr", "ol", "p",
    "pre", "ruby", "s", "small", "span", "strike", "strong", "sub", "sup", "table", "tt", "u", "ul", "var",
})

_URL_STRIP: Final = "".join(chr(i) for i in range(0x21))  # what browsers strip around a URL
_URL_TAB_NEWLINE = re.compile(r"[\t\n\r]+")
_DATA_IMAGE = re.compile(r"data:image/(?:png|gif|jpeg|jpg|webp|bmp);base64,", re.IGNORECASE)
_BASE64 = re.compile(r"[A-Za-z0-9+/]*")
_ASCII_WHITE = re.compile(r"[\t\n\f\r ]+")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SCHEME_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789+.-")


class Sanitised(str):
    """HTML that ``sanitize_html`` returned (never made any other way). Services store it as it
    is, so a channel can sanitise before its transaction; any other string they sanitise. JSON
    never yields one, and changing it in any way gives a plain ``str`` again."""

    remote_images: bool = False


def _scheme(url: str) -> str:
    """The lower-case scheme of a URL ('' for a relative one)."""
    head, colon, _ = url[:40].partition(":")
    head = head.lower()
    if not colon or not head or not head[0].isalpha() or not set(head) <= _SCHEME_CHARS:
        return ""
    return head


def _allowed_url(tag: str, attribute: str, value: str, remote_images: bool) -> str | None:
    """The URL as it may be kept, or None. Relative URLs never survive (a browser would send
    them, with the agent's cookies, to our own origin)."""
    url = _URL_TAB_NEWLINE.sub("", value.strip(_URL_STRIP))
    scheme = _scheme(url)
    rest = url[len(scheme) + 1 :]
    # http(s) without "//" is relative to the page in a browser ("https:/x", "http:x")
    web = scheme in ("http", "https") and rest[:2].replace("\\", "/") == "//"
    if tag == "img" and attribute == "src":
        if scheme == "cid":
            return url if len(url) <= MAX_ATTRIBUTE else None
        if scheme == "data":
            prefix = _DATA_IMAGE.match(url)
            if prefix is None or len(url) > MAX_DATA_URL:
                return None
            payload = _ASCII_WHITE.sub("", url[prefix.end() :])  # base64 may be wrapped over lines
            data = payload.rstrip("=")
            plain = _BASE64.match(data)
            return url[: prefix.end()] + payload if plain is not None and plain.end() == len(data) else None
        return url if remote_images and web and len(url) <= MAX_URL else None
    if tag == "a" and attribute == "href":
        if scheme in ("mailto", "tel") or web:
            return url if len(url) <= MAX_URL else None
        return None
    return value


def _remote_image(tag: str, attribute: str, value: str) -> str | None:
    """An image's absolute http(s) address, kept aside when the image may not load by itself."""
    if tag != "img" or attribute != "src":
        return None
    url = _allowed_url("img", "src", value, True)
    return url if url is not None and _scheme(url) in ("http", "https") else None


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


_ATTRIBUTES: Final = {
    tag: frozenset(ALLOWED_ATTRIBUTES.get(tag, set()) | ALLOWED_ATTRIBUTES["*"]) for tag in ALLOWED_TAGS
}
_OPEN: Final = {tag: f"<{tag}>" for tag in ALLOWED_TAGS}
_CLOSE: Final = {tag: f"</{tag}>" for tag in ALLOWED_TAGS}


class _Writer:
    """The normalised document, written one token at a time (see the module's doc).

    The open elements are a stack; where each name, each table part and each element an open
    <li> stays open above sits in it is kept, so every decision takes constant time and every
    element is closed once."""

    def __init__(self, remote_images: bool) -> None:
        self.remote_images = remote_images
        self.out: list[str] = []
        self.stack: list[str] = []
        self.where: dict[str, list[int]] = {tag: [] for tag in ALLOWED_TAGS}  # places in the stack
        self.tables: list[int] = []  # places of the open table parts, innermost last
        self.blocks: list[int] = []  # places of the open _ENDS_LI_SEARCH elements
        self.run = 0  # characters of text written since the last tag
        self.foreign = 0  # open svg/math elements (not written)

    # --- the stack ---------------------------------------------------------------------------

    def last(self, name: str) -> int:
        places = self.where[name]
        return places[-1] if places else -1

    def mode(self) -> str:
        """The innermost open table part ('' outside tables)."""
        return self.stack[self.tables[-1]] if self.tables else ""

    def push(self, name: str, attributes: list[tuple[str, str]]) -> None:
        self.write_tag(name, attributes)
        if name in _VOID:
            return
        place = len(self.stack)
        self.where[name].append(place)
        if name in _TABLE_PARTS:
            self.tables.append(place)
        elif name in _ENDS_LI_SEARCH:
            self.blocks.append(place)
        self.stack.append(name)

    def pop(self) -> None:
        name = self.stack.pop()
        place = len(self.stack)
        self.where[name].pop()
        if self.tables and self.tables[-1] == place:
            self.tables.pop()
        elif self.blocks and self.blocks[-1] == place:
            self.blocks.pop()
        self.out.append(_CLOSE[name])
        self.run = 0

    def close_to(self, place: int) -> None:
        """Close the element at ``place`` in the stack and everything in it."""
        while len(self.stack) > place:
            self.pop()

    def open_cell(self) -> None:
        """Content directly in a table, section or row: open the row and cell it needs."""
        mode = self.mode()
        if mode == "table":
            self.push("tbody", [])
            mode = "tbody"
        if mode in _SECTIONS:
            self.push("tr", [])
        self.push("td", [])

    # --- writing -----------------------------------------------------------------------------

    def write_tag(self, name: str, attributes: list[tuple[str, str]]) -> None:
        self.run = 0
        if not attributes:
            self.out.append(_OPEN[name])
            return
        allowed = _ATTRIBUTES[name]
        parts = [f"<{name}"]
        for key, raw in attributes:
            if key not in allowed or key == REMOTE_SRC:
                continue
            original = unescape_attribute(raw)
            value: str | None = original
            if key in ("href", "src"):
                value = _allowed_url(name, key, original, self.remote_images)
                if value is None:
                    remote = _remote_image(name, key, original)
                    if remote is not None:
                        parts.append(f' {REMOTE_SRC}="{_escape_attribute(remote)}"')
                    continue
            else:
                value = value[:MAX_ATTRIBUTE]  # type: ignore[index]
            parts.append(f' {key}="{_escape_attribute(value)}"')  # type: ignore[arg-type]
        parts.append(">")
        self.out.append("".join(parts))

    def text(self, text: str) -> None:
        if not text:
            return
        if self.tables and self.stack[self.tables[-1]] in _NOT_IN_CELL and text.strip("\t\n\f\r "):
            self.open_cell()
        if self.run + len(text) <= TEXT_RUN:  # most text
            self.out.append(_escape_text(text))
            self.run += len(text)
            return
        out, start, size = self.out, 0, len(text)
        while start < size:
            room = TEXT_RUN - self.run
            if room <= 0:
                out.append("<!---->")  # a new text node for nh3; removed with the comments
                self.run, room = 0, TEXT_RUN
            piece = text[start : start + room]
            out.append(_escape_text(piece))
            self.run += len(piece)
            start += room

    # --- tokens ------------------------------------------------------------------------------

    def start(self, name: str, attributes: list[tuple[str, str]]) -> None:
        if name in _FOREIGN:
            self.foreign += 1
            return
        if self.foreign and name in _BREAKS_OUT:
            self.foreign = 0
        if self.foreign or name not in ALLOWED_TAGS:
            return  # the tag is dropped, its content kept
        if name in _TABLE_PARTS and name != "table":
            self.table_part(name, attributes)
            return
        boundary = -1
        if self.tables:
            if self.stack[self.tables[-1]] in _NOT_IN_CELL:
                if name == "table":
                    self.close_to(self.last("table"))  # a table directly in a table ends it, as in browsers
                if self.mode() in _NOT_IN_CELL:
                    self.open_cell()
            if self.tables:
                boundary = self.tables[-1]
        if name in _CLOSES_P:
            p = self.last("p")
            if p > boundary:
                self.close_to(p)
            if name in _HEADINGS and self.stack and self.stack[-1] in _HEADINGS:
                self.pop()
        elif name == "li":
            li = self.last("li")
            if li > boundary and li > (self.blocks[-1] if self.blocks else -1):
                self.close_to(li)
        elif name == "a":
            a = self.last("a")
            if a > boundary:
                self.close_to(a)
        if name not in _VOID:
            room = 4 if name == "table" else 1  # a table keeps room for its section, row and cell
            if len(self.stack) + room > MAX_DEPTH:
                return  # too deep: the tag is dropped, its content kept
        self.push(name, attributes)

    def table_part(self, name: str, attributes: list[tuple[str, str]]) -> None:
        """A section, row or cell: only in a table (elsewhere browsers ignore it), closing the
        open ones it ends, opening the section or row it needs. Its depth is the table's + 3."""
        if not self.tables:
            return
        ends = _CELLS if name in _CELLS else _CELLS | {"tr"} if name == "tr" else _TABLE_PARTS - {"table"}
        while self.mode() in ends:
            self.close_to(self.tables[-1])
        mode = self.mode()
        if name in _CELLS:
            if mode == "table":
                self.push("tbody", [])
                mode = "tbody"
            if mode in _SECTIONS:
                self.push("tr", [])
        elif name == "tr" and mode == "table":
            self.push("tbody", [])
        self.push(name, attributes)

    def end(self, name: str) -> None:
        if name in _FOREIGN:
            self.foreign = max(0, self.foreign - 1)
            return
        if self.foreign or name not in ALLOWED_TAGS:
            return
        if name == "br":
            self.start("br", [])  # </br> is a <br> in browsers
            return
        place = self.last(name)
        if place < 0:
            return
        if name in _TABLE_PARTS:
            if name == "table" or place > self.last("table"):
                self.close_to(place)
            return
        boundary = self.tables[-1] if self.tables else -1
        if name == "li":
            boundary = max(boundary, self.last("ol"), self.last("ul"))
        if place > boundary:  # in scope: not outside the table or list it is in
            self.close_to(place)

    def finish(self) -> str:
        self.close_to(0)
        return "".join(self.out)


def normalise(html: str, *, remote_images: bool = False) -> str:
    """``html`` rewritten in one linear pass into the bounded form described in the module's
    doc: what nh3 reads. Not safe on its own: ``sanitize_html`` is."""
    writer = _Writer(remote_images)
    for kind, data, attributes in tokens(html[:MAX_HTML]):
        if kind == "text":
            writer.text(unescape(data).replace("\x00", ""))
        elif kind == "literal":
            writer.text(data.replace("\x00", ""))
        elif kind == "start":
            writer.start(data, attributes)
        elif kind == "end":
            writer.end(data)
        # "raw": a script, style, title or frame, dropped with its content
    return writer.finish()


def _attribute_filter(remote_images: bool) -> Callable[[str, str, str], str | None]:
    """nh3's last check of every URL it kept (the same rules as the rewrite's)."""

    def check(tag: str, attribute: str, value: str) -> str | None:
        if attribute in ("href", "src"):
            return _allowed_url(tag, attribute, value, remote_images)
        if attribute == REMOTE_SRC:  # only ever an absolute http(s) address (the rewrite put it there)
            return _remote_image(tag, "src", value)
        return value

    return check


_FILTERS = {False: _attribute_filter(False), True: _attribute_filter(True)}


def _valid_unicode(html: str) -> str:
    """Lone surrogates (which JSON can carry) become U+FFFD: nh3 cannot take them."""
    try:
        html.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", html)
    return html


def sanitize_html(html: str, *, remote_images: bool = False) -> Sanitised:
    """Safe HTML for display; '' for empty input. Linear in the input; see the module's doc for
    the caps. ``remote_images``: keep ``http(s)`` images (for HTML agents write; received mail
    shows only its own ``cid:`` and ``data:`` images, so opening it tells no one)."""
    if not html:
        return Sanitised("")
    clean = nh3.clean(
        normalise(_valid_unicode(html[:MAX_HTML]), remote_images=remote_images),
        tags=ALLOWED_TAGS,
        clean_content_tags=set(RAW_DROPPED) | {"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_FILTERS[remote_images],
        url_schemes=URL_SCHEMES,
        url_relative="deny",
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    result = Sanitised(clean)
    result.remote_images = remote_images
    return result


def ensure_sanitised(html: str, *, remote_images: bool = False) -> Sanitised:
    """``html`` when ``sanitize_html`` already made it (with images no freer than asked), else
    sanitised now. Services call it before they take the write lock."""
    if isinstance(html, Sanitised) and (remote_images or not html.remote_images):
        return html
    return sanitize_html(html, remote_images=remote_images)
