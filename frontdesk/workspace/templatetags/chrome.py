"""The workspace's frame, shared by every page: icons, avatars, dates, money, labels for stored keys,
the brand and the notification bell. ``{% load chrome %}``.

- ``{% icon "bell" %}``: an inline Lucide SVG (vendored by scripts/setup.sh), decorative.
- ``{% avatar person "sm" %}``: a person's picture, or their initials on a colour of their own.
- ``{{ value|when }}``: "3 h ago" with the absolute time in the viewer's time zone on hover.
- ``{{ amount|money:currency }}``: an amount with its currency.
- ``{{ key|label:"channel" }}``: the words for a stored key (``on_hold`` → "On hold").
"""

from __future__ import annotations

import logging
import re
import zlib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache
from html import escape
from pathlib import Path
from typing import Any

from django import template
from django.contrib.staticfiles import finders
from django.utils import formats, timezone
from django.utils.dateformat import format as date_format
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from frontdesk.core.cache import memoised

register = template.Library()
log = logging.getLogger(__name__)

# --- icons ---------------------------------------------------------------------------------------

_ICON_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BLANKS = re.compile(r">\s+<")


@lru_cache(maxsize=256)
def icon_svg(name: str) -> str:
    """The vendored icon ``name`` as one line of markup, or "" when there is no such icon."""
    if not _ICON_NAME.fullmatch(name):
        return ""
    found = finders.find(f"vendor/icons/{name}.svg")
    if not found:
        log.warning("no icon %r in static/vendor/icons (scripts/setup.sh copies the names package.json lists)", name)
        return ""
    text = Path(str(found)).read_text(encoding="utf-8")
    text = _BLANKS.sub("><", _COMMENT.sub("", text)).strip()
    body = _SVG_OPEN.sub("", text, count=1).replace("</svg>", "").strip()
    return (
        f'<svg class="icon icon-{name}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" '
        'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" '
        f'aria-hidden="true" focusable="false">{body}</svg>'
    )


@register.simple_tag
def icon(name: str) -> SafeString:
    """An icon beside words that say the same (so it is hidden from screen readers)."""
    return mark_safe(icon_svg(str(name)))  # noqa: S308 - a vendored file, its name checked above


# --- avatars -------------------------------------------------------------------------------------

AVATAR_COLOURS = 8
AVATAR_SIZES = ("xs", "sm", "md", "lg")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def display_name(person: Any) -> str:
    """A person's name, else their address (users have ``email``, contacts ``primary_email``)."""
    if person is None:
        return ""
    name = (getattr(person, "name", "") or "").strip()
    return name or (getattr(person, "email", "") or getattr(person, "primary_email", "") or "").strip()


def initials(person: Any) -> str:
    """Up to two letters: the first and last names' initials, else the address's first letters."""
    name = (getattr(person, "name", "") or "").strip()
    words = _WORD.findall(name)
    if not words:
        address = getattr(person, "email", "") or getattr(person, "primary_email", "") or ""
        words = _WORD.findall(address.partition("@")[0])
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def avatar_colour(person: Any) -> int:
    """A colour of one's own, stable across pages and processes (from the id, else the address)."""
    kind = getattr(person, "avatar_kind", "") or type(person).__name__.lower()
    seed = f"{kind}:{getattr(person, 'pk', None) or display_name(person)}"
    return zlib.crc32(seed.encode()) % AVATAR_COLOURS


@register.simple_tag
def avatar(person: Any, size: str = "sm", decorative: bool = False) -> SafeString:
    """A user's or contact's picture when they have one, else their initials on their colour.
    ``decorative=True`` when their name is written beside it (screen readers skip it)."""
    size = size if size in AVATAR_SIZES else "sm"
    name = display_name(person) or _("Unknown")
    label = ' aria-hidden="true"' if decorative else f' role="img" aria-label="{escape(name)}"'
    picture = getattr(person, "avatar_url", "") or ""
    if isinstance(picture, str) and picture.startswith(("/", "https://")):
        alt = "" if decorative else escape(name)
        return mark_safe(  # noqa: S308 - escaped
            f'<img class="avatar avatar-{size}" src="{escape(picture)}" alt="{alt}" title="{escape(name)}">'
        )
    colour = avatar_colour(person)
    return mark_safe(  # noqa: S308 - escaped
        f'<span class="avatar avatar-{size} avatar-c{colour}" title="{escape(name)}"{label}>'
        f"{escape(initials(person))}</span>"
    )


# --- dates ---------------------------------------------------------------------------------------

ABSOLUTE_FORMAT = "D j M Y, H:i T"  # the one absolute format: "Tue 12 Mar 2025, 14:05 CET"


def relative(value: datetime, now: datetime | None = None, *, local: datetime | None = None) -> str:
    """"just now", "5 min ago", "3 h ago", "yesterday", "12 Mar", "12 Mar 2025" (and "in 5 min",
    "in 3 h", "tomorrow" for what is due), by the viewer's calendar (the active time zone).
    ``local``: ``value`` already in the viewer's time zone, when the caller has it."""
    now = now or timezone.now()
    seconds = (now - value).total_seconds()
    ahead = seconds < 0
    gap = abs(seconds)
    if gap < 60:
        return _("just now")
    if gap < 3600:
        n = int(gap // 60)
        text = ngettext("in %(n)d min", "in %(n)d min", n) if ahead else ngettext("%(n)d min ago", "%(n)d min ago", n)
        return text % {"n": n}
    if gap < 86400:
        n = int(gap // 3600)
        text = ngettext("in %(n)d h", "in %(n)d h", n) if ahead else ngettext("%(n)d h ago", "%(n)d h ago", n)
        return text % {"n": n}
    zone = timezone.get_current_timezone()
    day = (local or timezone.localtime(value, zone)).date()
    today = timezone.localtime(now, zone).date()
    if day == today - timedelta(days=1):
        return _("yesterday")
    if day == today + timedelta(days=1):
        return _("tomorrow")
    return _day(day, with_year=day.year != today.year)


# Django's date_format builds a formatter per call; a list page shows ~150 dates, so the one
# format is written out here with the same translated names ("D j M Y, H:i T"), translated once
# per language rather than twice per date.
@lru_cache(maxsize=32)
def _names(language: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(months "Jan".."Dec" from index 1, weekdays "Mon".."Sun") in ``language`` (the active one)."""
    months = ("", *(str(MONTHS_3[m]).title() for m in range(1, 13)))
    return months, tuple(str(WEEKDAYS_ABBR[d]) for d in range(7))


def _day(day: date, *, with_year: bool) -> str:
    month = _names(get_language())[0][day.month]
    return f"{day.day} {month} {day.year}" if with_year else f"{day.day} {month}"


def absolute(value: datetime, *, local: datetime | None = None) -> str:
    local = local or timezone.localtime(value)
    weekday = _names(get_language())[1][local.weekday()]
    return f"{weekday} {_day(local, with_year=True)}, {local:%H:%M} {local.tzname() or ''}".strip()


@register.filter(is_safe=True)
def when(value: Any) -> str:
    """``<time datetime="ISO" title="absolute">relative</time>``; "" for no date."""
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, timezone.get_current_timezone())
        iso = value.astimezone(UTC).isoformat().replace("+00:00", "Z")
        local = timezone.localtime(value)
        shown, title = relative(value, local=local), absolute(value, local=local)
        return mark_safe(  # noqa: S308 - generated text, escaped
            f'<time datetime="{iso}" title="{escape(title)}">{escape(shown)}</time>'
        )
    if isinstance(value, date):  # a calendar date (no time of day): the date alone
        today = timezone.localdate()
        text = date_format(value, "j M" if value.year == today.year else "j M Y")
        title = escape(date_format(value, "D j M Y"))
        return mark_safe(  # noqa: S308 - generated text
            f'<time datetime="{value.isoformat()}" title="{title}">{escape(text)}</time>'
        )
    return ""


# --- money ---------------------------------------------------------------------------------------

# symbols only where they are unambiguous; every other currency is written with its ISO code
_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "JPY": "¥", "INR": "₹"}
_NO_DECIMALS = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "HUF", "XOF", "XAF"})
_CURRENCY = re.compile(r"[A-Z]{3}")


@register.filter
def money(value: Any, currency: Any = "") -> str:
    """``1234.5|money:"EUR"`` → "€1,234.50" (grouped and with decimals as the language writes
    numbers); an unknown currency comes after the number ("1,234.50 CHF"); none: the number."""
    try:
        amount = Decimal(str(value)) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None:
        return ""
    code = str(currency or "").strip().upper()
    code = code if _CURRENCY.fullmatch(code) else ""
    places = 0 if code in _NO_DECIMALS else 2
    number = formats.number_format(amount, decimal_pos=places, use_l10n=True, force_grouping=True)
    if not code:
        return number
    symbol = _SYMBOLS.get(code)
    if symbol:
        return f"-{symbol}{number[1:]}" if number.startswith("-") else f"{symbol}{number}"
    return f"{number}\u00a0{code}"


@register.filter
def common_currency(items: Any) -> str:
    """The one currency all of ``items`` (purchases) share, else "" (a total of mixed currencies)."""
    codes = {getattr(i, "currency", None) or (i.get("currency") if isinstance(i, dict) else None) for i in items or []}
    return str(codes.pop()) if len(codes) == 1 and None not in codes else ""


# --- stored keys -----------------------------------------------------------------------------------


def _choices(kind: str) -> dict[str, str]:
    if kind == "status":
        return memoised(f"status-labels:{get_language()}", _status_labels)
    return _enum_labels(kind, get_language())


@lru_cache(maxsize=128)
def _enum_labels(kind: str, language: str | None) -> dict[str, str]:
    """The words for one enumeration's keys in ``language`` (the active one): fixed in the code."""
    from frontdesk.accounts.models import Role
    from frontdesk.core import channels
    from frontdesk.customers.models import IdentityKind, PurchaseStatus
    from frontdesk.notifications.models import NotificationKind
    from frontdesk.tickets.models import Priority, StatusCategory, TicketType

    tables: dict[str, Any] = {
        "identity": IdentityKind, "purchase_status": PurchaseStatus, "role": Role,
        "category": StatusCategory, "priority": Priority, "type": TicketType, "notification": NotificationKind,
    }
    if kind == "channel":
        return {name: str(text) for name, text in channels.choices()}
    table = tables.get(kind)
    return {str(value): str(text) for value, text in table.choices} if table is not None else {}


def _status_labels() -> dict[str, str]:
    from frontdesk.tickets.models import StatusCategory
    from frontdesk.tickets.selectors import status_choices

    labels = {str(v): str(t) for v, t in StatusCategory.choices}
    stored = {s.key: s.label for s in status_choices()}  # cached; status_create/_update forget it
    return {**labels, **stored}


def humanise_key(value: str) -> str:
    """A key nobody gave words to, written as words: "on_hold" → "On hold"."""
    text = value.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


@register.filter
def label(value: Any, kind: str = "") -> str:
    """The words for a stored key: ``{{ t.status|label:"status" }}``, ``{{ item.channel|label:"channel" }}``
    (kinds: status, category, channel, identity, purchase_status, role, priority, type, notification).
    An unknown key is still written as words, never as ``on_hold``."""
    if value is None or value == "":
        return ""
    key = str(value)
    return _choices(kind).get(key) or humanise_key(key)


# --- the brand and the bell ------------------------------------------------------------------------

_HEX = re.compile(r"#[0-9a-fA-F]{6}")
DEFAULT_ACCENT = "#1f6feb"


def safe_colour(value: Any, default: str = DEFAULT_ACCENT) -> str:
    """A ``#rrggbb`` colour, or ``default``: nothing else ever reaches a page's styles."""
    return value.lower() if isinstance(value, str) and _HEX.fullmatch(value) else default


def ink_for(colour: str) -> str:
    """Black or white, whichever reads better on ``colour`` (WCAG relative luminance)."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    lum = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return "#111827" if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else "#ffffff"


def _default_brand() -> Any:
    from frontdesk.brands.models import Brand
    from frontdesk.core.cache import remembered

    # the key brands.services caches the default brand under (brand_save forgets it); a page's
    # request never writes brands, so what it reads is committed and may be shared
    return remembered("brand:default", lambda: Brand.objects.filter(is_default=True).first(), in_transaction=True)


@register.simple_tag
def workspace_brand(minimal: bool = False) -> dict[str, str]:
    """The default brand as the frame shows it: name, logo address (when it has one), accent colour
    and the ink that reads on it. Never fails: a page's frame must draw even without a brand.
    ``minimal`` (the 500 page): Frontdesk's own, without asking the database."""
    try:
        brand = None if minimal else _default_brand()
    except Exception:  # a database outage: the frame still draws, as Frontdesk
        log.warning("the default brand could not be read for the frame", exc_info=True)
        brand = None
    name = getattr(brand, "name", "") or "Frontdesk"
    logo = getattr(brand, "logo", None)
    try:
        logo_url = logo.url if logo else ""
    except ValueError:
        logo_url = ""
    accent = safe_colour(getattr(brand, "primary_color", None))
    return {
        "name": name, "logo_url": logo_url, "accent": accent, "ink": ink_for(accent),
        "initial": initials(brand)[:1] if brand else "F",
    }


class Bell:
    """The viewer's bell (frontdesk.notifications.selectors.bell), read only when the page draws it."""

    def __init__(self, user: Any):
        self.user = user

    @cached_property
    def state(self) -> Any:
        from frontdesk.notifications.selectors import bell

        return bell(viewer=self.user)

    @property
    def unread(self) -> int:
        return int(self.state.unread)

    @property
    def unread_label(self) -> str:
        from frontdesk.notifications.selectors import UNREAD_CAP

        return f"{UNREAD_CAP}+" if self.unread > UNREAD_CAP else str(self.unread)

    @property
    def items(self) -> list[Any]:
        return list(self.state.items)


@register.simple_tag
def notification_bell(user: Any) -> Bell:
    return Bell(user)


@register.simple_tag
def notification_text(n: Any) -> str:
    """What happened, in words: "Ann mentioned you", "Assigned to you by Ann", "Alice replied"."""
    label_ = "" if n.actor_label in ("", "system") else humanise_key(n.actor_label)
    who = display_name(n.who) or label_
    if n.kind == "mention":
        return _("%(who)s mentioned you") % {"who": who or _("Someone")}
    if n.kind == "assigned":
        return _("Assigned to you by %(who)s") % {"who": who} if who else _("Assigned to you")
    if n.kind == "customer_reply":
        return _("%(who)s replied") % {"who": who or _("The customer")}
    return label(n.kind, "notification")
