"""Address headers read the way SPF, DKIM and DMARC read them: the angle address wins.

Python's email policy reads ``From: custb@orgb.example <mallory@attacker.example>`` (an address
as an unquoted display name) as ``custb@orgb.example`` and drops the angle address — the one the
receiving server checked. This module reads address lists itself, in one pass (linear time,
whatever the input), and says what a display name or a comment claims:

- a mailbox with an angle address is that address; the words before it are its display name;
- a mailbox without one is the single ``local@domain`` in it (a comment after it may be the name);
- groups (``name: a@x, b@y;``) are their members; RFC 2047 encoded-words are decoded in names and
  comments (also inside quotes, as mail clients show them);
- ``sender_of`` takes the From header(s): exactly one mailbox with exactly one address, else no
  sender at all (several authors, several angle addresses: which one was checked is not known).

Nothing here raises on any input.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import contextlib
import re
import unicodedata
from dataclasses import dataclass, field

MAX_HEADER = 65536  # a longer address header is not read at all (cutting it could change whom it names)
MAX_CLAIMS = 5
_SPACE = frozenset(" \t\r\n")
_STOP = frozenset('()<>,;:@."\\') | _SPACE  # ends an atom ("[" and "]" are read as atom text)
_ENCODED = re.compile(r"=\?([^?\s]{1,64})\?([bBqQ])\?([^?\s]{0,1000})\?=")
# characters that may surround an "@" in something that looks like an address
_ADDRESS_CHAR = re.compile(r"[^\s@<>()\[\]\"',;:\\]")


@dataclass
class Mailbox:
    """One mailbox of an address header."""

    address: str  # lower-case; '' when the mailbox has none
    name: str  # the display name (or, for ``addr (Name)``, the comment), decoded
    claims: list[str] = field(default_factory=list)  # addresses its name and comments contain
    others: list[str] = field(default_factory=list)  # further addresses in the same mailbox (ambiguous)


@dataclass(frozen=True)
class Sender:
    address: str  # '' when there is no single sender
    name: str  # '' when the name claims another address (it is not shown as the sender's name)
    claim: str  # an address the display name or a comment claims, other than ``address``
    problem: str = ""  # why there is no sender ('' when there is one)


@dataclass
class _Token:
    kind: str  # word, quoted, comment, angle, sep (, ; :), at, dot, stray
    text: str
    spaced: bool  # whitespace (or a comment) came before it


def _decode_word(match: re.Match[str]) -> str:
    charset, encoding, text = match.group(1).split("*", 1)[0], match.group(2).lower(), match.group(3)
    try:
        if encoding == "q":
            data = re.sub(rb"=([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]),
                          text.replace("_", " ").encode("ascii", "replace"))
        else:
            data = base64.b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return match.group(0)
    try:
        codecs.lookup(charset)
    except LookupError:
        charset = "utf-8"
    try:
        return data.decode(charset, "replace")
    except Exception:  # noqa: BLE001 - a codec that fails on its own input
        return data.decode("utf-8", "replace")


def decode_words(text: str) -> str:
    """``text`` with its RFC 2047 encoded-words decoded; whitespace between two of them dropped."""
    out: list[str] = []
    pos = 0
    after_word = False
    for match in _ENCODED.finditer(text):
        gap = text[pos : match.start()]
        if not (after_word and not gap.strip()):
            out.append(gap)
        out.append(_decode_word(match))
        pos, after_word = match.end(), True
    out.append(text[pos:])
    return "".join(out)


def _quoted(value: str, i: int, end: str) -> tuple[str, int, bool]:
    """The text up to the unescaped ``end`` from ``i`` (after the opening character), the index
    after it, and whether it was closed."""
    buf: list[str] = []
    n = len(value)
    while i < n:
        ch = value[i]
        if ch == "\\" and i + 1 < n:
            buf.append(value[i + 1])
            i += 2
            continue
        if ch == end:
            return "".join(buf), i + 1, True
        buf.append(ch)
        i += 1
    return "".join(buf), i, False


def _comment(value: str, i: int) -> tuple[str, int]:
    """A comment's text (nested comments kept as text) from after its "(", and the index after it."""
    buf: list[str] = []
    depth, n = 1, len(value)
    while i < n:
        ch = value[i]
        if ch == "\\" and i + 1 < n:
            buf.append(value[i + 1])
            i += 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return "".join(buf), i + 1
        buf.append(ch)
        i += 1
    return "".join(buf), i


def _angle(value: str, i: int) -> tuple[str, int]:
    """An angle address's text from after its "<" (quoted parts kept whole), and the index after it."""
    buf: list[str] = []
    n = len(value)
    while i < n:
        ch = value[i]
        if ch == ">":
            return "".join(buf), i + 1
        if ch == '"':
            text, i, _ = _quoted(value, i + 1, '"')
            buf.append('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
            continue
        buf.append(ch)
        i += 1
    return "".join(buf), i


def _tokens(value: str, *, angles: bool = True) -> list[_Token]:
    tokens: list[_Token] = []
    i, n, spaced = 0, len(value), False
    while i < n:
        ch = value[i]
        if ch in _SPACE:
            spaced, i = True, i + 1
            continue
        if ch == '"':
            text, i, _ = _quoted(value, i + 1, '"')
            tokens.append(_Token("quoted", text, spaced))
        elif ch == "(":
            text, i = _comment(value, i + 1)
            tokens.append(_Token("comment", text, spaced))
            spaced = True
            continue
        elif ch == "<" and angles:
            text, i = _angle(value, i + 1)
            tokens.append(_Token("angle", text, spaced))
        elif ch in ",;:":
            tokens.append(_Token("sep", ch, spaced))
            i += 1
        elif ch in "<>)\\":  # stray: an angle (inside one), a closing bracket, a backslash
            tokens.append(_Token("stray", ch, spaced))
            i += 1
        elif ch == "@":
            tokens.append(_Token("at", ch, spaced))
            i += 1
        elif ch == ".":
            tokens.append(_Token("dot", ch, spaced))
            i += 1
        else:
            match = _ENCODED.match(value, i) if value.startswith("=?", i) else None
            if match is not None:  # an encoded-word is one word, whatever it holds
                j = match.end()
            else:
                j = i + 1
                while j < n and value[j] not in _STOP and not value.startswith("=?", j):
                    j += 1
            tokens.append(_Token("word", value[i:j], spaced))
            i = j
        spaced = False
    return tokens


def _chunks(tokens: list[_Token]) -> list[list[_Token]]:
    """Runs of adjacent (unspaced) words, quoted strings, dots and at signs."""
    runs: list[list[_Token]] = []
    for token in tokens:
        if token.kind not in ("word", "quoted", "dot", "at"):
            runs.append([])
            continue
        if token.spaced or not runs or not runs[-1]:
            runs.append([])
        runs[-1].append(token)
    return [r for r in runs if r]


_DOT_ATOM = re.compile(r"[^\s\"(),:;<>@\[\\\]]+(?:\.[^\s\"(),:;<>@\[\\\]]+)*")


def _address(run: list[_Token]) -> str:
    """``local@domain`` of a run with exactly one at sign, lower-case; '' if it is not one."""
    ats = [k for k, t in enumerate(run) if t.kind == "at"]
    if len(ats) != 1 or ats[0] == 0 or ats[0] == len(run) - 1:
        return ""
    local_tokens, domain_tokens = run[: ats[0]], run[ats[0] + 1 :]
    if any(t.kind == "quoted" for t in domain_tokens):
        return ""
    local = "".join(t.text for t in local_tokens)
    if len(local_tokens) == 1 and local_tokens[0].kind == "quoted" and not _DOT_ATOM.fullmatch(local):
        local = '"' + local.replace("\\", "\\\\").replace('"', '\\"') + '"'
    domain = "".join(t.text for t in domain_tokens).rstrip(".")
    address = f"{local}@{domain}".lower()
    if not local or not domain or len(address) > 254 or any(c.isspace() for c in address):
        return ""
    return address


def _angle_addresses(text: str) -> list[str]:
    """The addresses inside one angle address (a source route ``@a,@b:`` dropped): one, normally."""
    if ":" in text and text.lstrip().startswith("@"):
        text = text.split(":", 1)[1]
    found = [_address(run) for run in _chunks(_tokens(text, angles=False))]
    return [a for a in found if a]


def _text(tokens: list[_Token]) -> str:
    """The words of a display name as a reader sees them (encoded-words decoded; whitespace
    between two encoded-words dropped, as RFC 2047 says)."""
    words: list[str] = []
    encoded_before = False
    for token in tokens:
        encoded = token.kind == "word" and _ENCODED.fullmatch(token.text) is not None
        text = decode_words(token.text) if token.kind in ("word", "quoted") else token.text
        if token.kind == "angle":
            text = f"<{text}>"
        spaced = token.spaced or token.kind == "quoted"
        if words and spaced and token.kind != "dot" and not (encoded and encoded_before):
            words.append(" ")
        words.append(text)
        encoded_before = encoded
    return " ".join("".join(words).split())


def claims(text: str) -> list[str]:
    """Addresses (``local@domain.tld``) in free text, lower-case, as a reader would take them:
    compatibility forms (a full-width at sign) folded, invisible format characters removed."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    found: list[str] = []
    n = len(text)
    for at in (i for i, c in enumerate(text) if c == "@"):
        start = at
        while start > 0 and _ADDRESS_CHAR.match(text[start - 1]):
            start -= 1
        end = at + 1
        while end < n and _ADDRESS_CHAR.match(text[end]):
            end += 1
        local, domain = text[start:at].strip("."), text[at + 1 : end].strip(".")
        labels = domain.split(".")
        if local and len(labels) > 1 and all(labels):
            address = f"{local}@{domain}".lower()
            if address not in found:
                found.append(address)
        if len(found) >= MAX_CLAIMS:
            break
    return found


def _mailbox(tokens: list[_Token]) -> Mailbox | None:
    comments = [decode_words(t.text) for t in tokens if t.kind == "comment"]
    rest = [t for t in tokens if t.kind != "comment"]
    if not rest and not comments:
        return None
    angles = [k for k, t in enumerate(rest) if t.kind == "angle"]
    if angles:
        found = [a for k in angles for a in _angle_addresses(rest[k].text)]
        name = _text(rest[: angles[0]])
        outside = _text([t for t in rest[angles[0] :] if t.kind != "angle"])
    else:
        runs = _chunks(rest)
        found = [a for a in (_address(run) for run in runs) if a]
        name = _text([t for run in runs if not _address(run) for t in run])
        outside = ""
        if not name and comments:
            name = " ".join(" ".join(comments).split())
    said = claims(" ".join([name, outside, *comments]))
    return Mailbox(address=found[0] if found else "", name=name[:200], claims=said, others=found[1:])


def mailboxes(values: list[str]) -> list[Mailbox]:
    """The mailboxes of address header values (unfolded, groups opened), in order."""
    found: list[Mailbox] = []
    for value in values:
        if len(value) > MAX_HEADER:
            continue
        tokens = _tokens(str(value).replace("\r", "").replace("\n", ""))
        current: list[_Token] = []
        addressed = False  # the current mailbox has an angle address or an at sign (so ":" is no group)
        for token in tokens:
            if token.kind == "sep" and token.text == ":" and not addressed:
                current = []  # a group's name
                continue
            if token.kind == "sep" and token.text in ",;":
                box = _mailbox(current)
                if box is not None:
                    found.append(box)
                current, addressed = [], False
                continue
            current.append(token)
            addressed = addressed or token.kind in ("angle", "at")
        box = _mailbox(current)
        if box is not None:
            found.append(box)
    return found


def address_pairs(values: list[str]) -> list[tuple[str, str]]:
    """(display name, address) of every address in the values; a mailbox holding several angle
    addresses gives each of them (without the name: it is not known whose it is)."""
    pairs: list[tuple[str, str]] = []
    for box in mailboxes(values):
        if not box.address:
            continue
        if box.others:
            pairs += [("", a) for a in (box.address, *box.others)]
        else:
            pairs.append((box.name, box.address))
    return pairs


def address_key(address: str) -> str:
    """The mailbox an address reaches, as one key: lower-case, without its ``+tag``, the domain
    in its ASCII (IDNA) form. ``Flood+1@Example.com`` and ``flood@example.com`` are one sender."""
    local, at, domain = (address or "").strip().lower().rpartition("@")
    if not at:
        return domain
    local = local.split("+", 1)[0]
    with contextlib.suppress(UnicodeError, ValueError):
        domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}"


def sender_of(values: list[str]) -> Sender:
    """The sender named by the From header values: exactly one address. Parts without an address
    (``Doe, John <john@x>``, written unquoted by some mailers) belong to its name; two addresses
    (two authors, two From headers, two angle addresses) name no sender: which one the receiving
    server checked is not known."""
    if any(len(v) > MAX_HEADER for v in values):
        return Sender("", "", "", "From header too long")
    boxes = mailboxes(values)
    with_address = [b for b in boxes if b.address]
    if not with_address:
        return Sender("", "", "", "no sender address")
    if len(with_address) > 1 or with_address[0].others:
        return Sender("", "", "", "several sender addresses in From")
    box = with_address[0]
    own = address_key(box.address)
    claimed = next((c for b in boxes for c in b.claims if address_key(c) != own), "")
    name = ", ".join(b.name for b in boxes if b.name)[:200]
    return Sender(box.address, "" if claimed else name, claimed)
