"""Reading untrusted markup in linear time: a tokenizer for HTML and the plain text of HTML.

Everything here is built so that its cost grows with the size of its input and never faster
(DESIGN.md §4, rule 7): one forward pass; each search (``str.find``, a regular expression) starts
where the previous one stopped, or its answer is remembered, so no character is scanned twice by
the same kind of search; regular expressions are used only anchored (``match`` at a position) and
are a single repeated character class or a literal with a bounded tail, which cannot backtrack.
A test (``core/tests/test_linear.py``) checks every pattern of this module for that shape.

The tokenizer follows the HTML standard where it matters for what is shown (tag names end at
white space, ``/`` or ``>``; quoted attribute values may contain ``>``; comments, ``<!…>`` and
``<?…>`` are skipped; ``<`` not followed by a letter is text), with two deliberate differences:
the content of ``script``, ``style`` and the other raw-text elements is raw only when their end
tag exists (an unclosed ``<style>`` swallows nothing: the rest is read as markup, where a
browser would hide it all), and foreign content (``svg``, ``math``) is not special. Callers
throw away what they do not allow, so neither difference can make anything run.
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Generator, Iterator
from typing import Final

__all__ = [
    "MAX_ATTRIBUTES", "MAX_TEXT_HTML", "RAW_DROPPED", "Token",
    "html_to_text", "tokens", "unescape", "unescape_attribute",
]

MAX_TEXT_HTML: Final = 2_000_000  # characters of HTML read by html_to_text (the raw mail keeps the rest)
MAX_ATTRIBUTES: Final = 50  # attributes kept per tag (the first of each name); the others are read and dropped

# Elements whose content is not markup. Dropped with their content (when closed):
RAW_DROPPED: Final = frozenset({"script", "style", "title", "iframe", "noembed", "noframes"})
# ... kept as text, as browsers show it:
_RAW_SHOWN: Final = frozenset({"textarea", "xmp"})
# foreign elements, which "/>" closes (HTML elements ignore it)
_SELF_CLOSING: Final = frozenset({"svg", "math"})

_SPACE: Final = "\t\n\f\r "
_TAG_NAME = re.compile(r"[^\t\n\f\r />]*")
_BETWEEN_ATTRIBUTES = re.compile(r"[\t\n\f\r /]*")
_WHITE = re.compile(r"[\t\n\f\r ]*")
_ATTRIBUTE_NAME = re.compile(r"[^\t\n\f\r />][^\t\n\f\r />=]*")
_UNQUOTED_VALUE = re.compile(r"[^\t\n\f\r >]*")
_ASCII_LETTERS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_MARKUP_START = re.compile(r"<[A-Za-z/!?]")  # a '<' that starts markup
# A character reference, as html.unescape reads it; the digits of a numeric one are not bounded
# here (they are consumed once), their value is (see _reference).
_REFERENCE = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
_MAX_REFERENCE_DIGITS: Final = 8  # more digits than any code point: U+FFFD, as browsers do

# (kind, value, attributes): ("start", name, [(name, raw value), …]), ("end", name, []),
# ("text", raw text with character references, []), ("literal", text shown as is, []),
# ("raw", element name, []) for a dropped raw-text element.
Token = tuple[str, str, list[tuple[str, str]]]
_NO_ATTRIBUTES: Final[list[tuple[str, str]]] = []


def _reference(match: re.Match[str]) -> str:
    found = match.group(0)
    if found[1] == "#":
        digits = found[3:] if found[2] in "xX" else found[2:]
        if len(digits.rstrip(";").lstrip("0")) > _MAX_REFERENCE_DIGITS:
            return "\ufffd"  # html.unescape would turn them into an int (and refuse 4,300 digits)
    return _html.unescape(found)


def unescape(text: str) -> str:
    """``html.unescape`` in linear time and without its exception on huge numeric references."""
    if "&" not in text:
        return text
    return _REFERENCE.sub(_reference, text)


def _attribute_reference(match: re.Match[str]) -> str:
    found = match.group(0)
    end = match.end()
    # in an attribute value, a named reference without ';' followed by '=' or a letter or digit
    # is not one (the standard's "historical reasons")
    if found[1] != "#" and not found.endswith(";"):
        following = match.string[end : end + 1]
        if following == "=" or following.isalnum():
            return found
    return _reference(match)


def unescape_attribute(value: str) -> str:
    """The value of an attribute as a browser reads it (character references decoded)."""
    if "&" not in value:
        return value
    return _REFERENCE.sub(_attribute_reference, value)


class _Finder:
    """``str.find`` of one needle for positions that never go back: a found position is kept
    until the scan passes it, and "not found" is final. Every character is looked at once."""

    __slots__ = ("found", "needle", "text")

    def __init__(self, text: str, needle: str) -> None:
        self.text, self.needle, self.found = text, needle, -2

    def __call__(self, start: int) -> int:
        if self.found == -1 or self.found >= start:
            return self.found
        self.found = self.text.find(self.needle, start)
        return self.found


class _EndTagFinder:
    """Where ``</name`` (any case, then white space, ``/`` or ``>``) next starts; like _Finder,
    for positions that never go back. One per raw-text element name."""

    __slots__ = ("found", "pattern", "text")

    def __init__(self, text: str, name: str) -> None:
        self.text, self.found = text, -2
        self.pattern = re.compile("</" + name + r"[\t\n\f\r />]", re.IGNORECASE)

    def __call__(self, start: int) -> int:
        if self.found == -1 or self.found >= start:
            return self.found
        match = self.pattern.search(self.text, start)
        self.found = match.start() if match else -1
        return self.found


class _Tokenizer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.gt = _Finder(text, ">")
        self.comment_end = _Finder(text, "-->")
        self.quote = {'"': _Finder(text, '"'), "'": _Finder(text, "'")}
        self.end_tags: dict[str, _EndTagFinder] = {}

    def _tag(self, start: int) -> tuple[str, list[tuple[str, str]], int]:
        """The tag at ``start`` ('<' or '</' already skipped): its name, its attributes (first of
        each name) and where it ends; the end is -1 when the document ends inside the tag (such a
        tag is dropped, as the standard says)."""
        text, n = self.text, len(self.text)
        match = _TAG_NAME.match(text, start)
        assert match is not None  # noqa: S101 - the pattern matches the empty string
        name = match.group(0)
        name = name.lower() if name.isascii() else name
        pos = match.end()
        if text.startswith(">", pos):  # most tags: no attributes
            return name, _NO_ATTRIBUTES, pos + 1
        attributes: list[tuple[str, str]] = []
        seen: set[str] = set()
        while True:
            pos = _BETWEEN_ATTRIBUTES.match(text, pos).end()  # type: ignore[union-attr]
            if pos >= n:
                return name, attributes, -1
            if text[pos] == ">":
                return name, attributes, pos + 1
            match = _ATTRIBUTE_NAME.match(text, pos)
            assert match is not None  # noqa: S101 - text[pos] is not white space, '/' or '>'
            key = match.group(0)
            key = key.lower() if key.isascii() else key
            pos = _WHITE.match(text, match.end()).end()  # type: ignore[union-attr]
            value = ""
            if text.startswith("=", pos):
                pos = _WHITE.match(text, pos + 1).end()  # type: ignore[union-attr]
                if pos < n and text[pos] in "\"'":
                    close = self.quote[text[pos]](pos + 1)
                    if close < 0:
                        return name, attributes, -1
                    value, pos = text[pos + 1 : close], close + 1
                else:
                    match = _UNQUOTED_VALUE.match(text, pos)
                    assert match is not None  # noqa: S101 - the pattern matches the empty string
                    value, pos = match.group(0), match.end()
            if key not in seen and len(seen) < MAX_ATTRIBUTES:
                seen.add(key)
                attributes.append((key, value))

    def _bogus(self, start: int) -> int:
        """A bogus comment (``<!…>``, ``<?…>``, ``</…>``) runs to the next '>'."""
        end = self.gt(start)
        return len(self.text) if end < 0 else end + 1

    def run(self) -> Iterator[Token]:
        text = self.text
        n = len(text)
        pos = 0  # where the text not yet given out starts
        while pos < n:
            found = _MARKUP_START.search(text, pos)  # '<' then a space, a digit, another '<', …: text
            if found is None:
                yield ("text", text[pos:], _NO_ATTRIBUTES)
                return
            lt = found.start()
            following = text[lt + 1]
            if lt > pos:
                yield ("text", text[pos:lt], _NO_ATTRIBUTES)
            if following == "/":
                after = text[lt + 2 : lt + 3]
                if after in _ASCII_LETTERS:
                    name, _, end = self._tag(lt + 2)
                    if end < 0:
                        return
                    pos = end
                    yield ("end", name, _NO_ATTRIBUTES)
                elif after == ">":
                    pos = lt + 3
                elif not after:
                    yield ("text", "</", _NO_ATTRIBUTES)
                    return
                else:
                    pos = self._bogus(lt + 2)
            elif following == "!":
                if text.startswith("<!--", lt):
                    if text.startswith(">", lt + 4):
                        pos = lt + 5
                    elif text.startswith("->", lt + 4):
                        pos = lt + 6
                    else:
                        end = self.comment_end(lt + 4)
                        pos = n if end < 0 else end + 3  # an unclosed comment runs to the end
                else:
                    pos = self._bogus(lt + 2)
            elif following == "?":
                pos = self._bogus(lt + 1)
            else:
                name, attributes, end = self._tag(lt + 1)
                if end < 0:
                    return
                pos = end
                if name == "plaintext":
                    yield ("literal", text[pos:], _NO_ATTRIBUTES)
                    return
                if name in RAW_DROPPED or name in _RAW_SHOWN:
                    pos = yield from self._raw(name, pos)
                else:
                    yield ("start", name, attributes)
                    if name in _SELF_CLOSING and text[end - 2] == "/":  # <svg/>: ends at once
                        yield ("end", name, _NO_ATTRIBUTES)

    def _raw(self, name: str, pos: int) -> Generator[Token, None, int]:
        """The content of a raw-text element up to its end tag; unclosed, the start tag alone is
        dropped (see the module's doc). Returns where the scan goes on."""
        finder = self.end_tags.get(name)
        if finder is None:
            finder = self.end_tags[name] = _EndTagFinder(self.text, name)
        close = finder(pos)
        if close < 0:
            return pos
        if name in _RAW_SHOWN:
            yield ("literal", self.text[pos:close], _NO_ATTRIBUTES)
        else:
            yield ("raw", name, _NO_ATTRIBUTES)
        _, _, end = self._tag(close + 2)
        return len(self.text) if end < 0 else end


def tokens(html: str) -> Iterator[Token]:
    """The tokens of ``html``, in one linear pass (see the module's doc). Comments, declarations
    and processing instructions are left out; so is a tag the document ends inside."""
    return _Tokenizer(html).run()


# where a line ends in the plain text of HTML
_LINE_BREAKS: Final = frozenset({
    "br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
})
_NEWLINES = re.compile(r"\n\n\n+")


def html_to_text(value: str) -> str:
    """The text of an HTML body, with line breaks where blocks end, in linear time.

    Tags are dropped, references decoded, ``script``/``style``/``title`` dropped with their
    content, white space before each line break removed, runs of empty lines cut to one. Only
    the first ``MAX_TEXT_HTML`` characters are read (an email's raw original keeps everything).
    """
    parts: list[str] = []
    for kind, data, _ in tokens(value[:MAX_TEXT_HTML]):
        if kind == "text":
            parts.append(unescape(data))
        elif kind == "literal":
            parts.append(data)
        elif data in _LINE_BREAKS and (kind == "end" or data == "br"):
            parts.append("\n")
    text = "\n".join(line.rstrip(" \t") for line in "".join(parts).replace("\x00", "").split("\n"))
    return _NEWLINES.sub("\n\n", text).strip()
