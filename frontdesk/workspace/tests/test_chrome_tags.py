"""The frame's template helpers: one date format, initials avatars, vendored icons, money, words for keys."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from frontdesk.workspace.templatetags import chrome

NOW = datetime(2026, 3, 12, 14, 5, tzinfo=UTC)
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


@pytest.fixture(autouse=True)
def _english() -> None:
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (ago(seconds=0), "just now"),
        (ago(seconds=59), "just now"),
        (ago(seconds=60), "1 min ago"),
        (ago(minutes=59, seconds=59), "59 min ago"),
        (ago(minutes=60), "1 h ago"),
        (ago(hours=23, minutes=59), "23 h ago"),
        (ago(hours=30), "yesterday"),
        (ago(days=3), "9 Mar"),
        (datetime(2025, 12, 31, 12, tzinfo=UTC), "31 Dec 2025"),
        (NOW + timedelta(minutes=5), "in 5 min"),
        (NOW + timedelta(hours=3), "in 3 h"),
        (NOW + timedelta(hours=30), "tomorrow"),
        (NOW + timedelta(days=10), "22 Mar"),
    ],
)
def test_relative_dates_at_their_boundaries(value: datetime, text: str) -> None:
    with timezone.override(UTC):
        assert chrome.relative(value, NOW) == text


def test_yesterday_is_the_viewers_yesterday() -> None:
    # 25 h before 00:30 UTC on 12 Mar: 23:30 UTC on 10 Mar. In Paris that is 00:30 on 11 Mar and now is
    # 01:30 on 12 Mar: yesterday. In UTC it was the day before yesterday: a date.
    now = datetime(2026, 3, 12, 0, 30, tzinfo=UTC)
    value = now - timedelta(hours=25)
    with timezone.override(PARIS):
        assert chrome.relative(value, now) == "yesterday"
    with timezone.override(UTC):
        assert chrome.relative(value, now) == "10 Mar"


def test_the_filter_writes_a_time_element_with_the_absolute_time_in_the_viewers_zone(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    value = ago(hours=3)
    with timezone.override(PARIS):
        html = Template("{% load chrome %}{{ value|when }}").render(Context({"value": value}))
    assert html == '<time datetime="2026-03-12T11:05:00Z" title="Thu 12 Mar 2026, 12:05 CET">3 h ago</time>'
    with timezone.override(TOKYO):
        html = Template("{% load chrome %}{{ value|when }}").render(Context({"value": value}))
    assert 'title="Thu 12 Mar 2026, 20:05 JST"' in html
    assert Template("{% load chrome %}[{{ value|when }}]").render(Context({"value": None})) == "[]"
    assert chrome.when(date(2025, 3, 9)) == '<time datetime="2025-03-09" title="Sun 9 Mar 2025">9 Mar 2025</time>'


def test_avatar_initials_and_accessible_name() -> None:
    assert chrome.initials(SimpleNamespace(name="Ann Lee", email="x@y")) == "AL"
    assert chrome.initials(SimpleNamespace(name="  Émile  de la Zola ", email="")) == "ÉZ"
    assert chrome.initials(SimpleNamespace(name="Cher", email="")) == "C"
    assert chrome.initials(SimpleNamespace(name="", email="ann.lee@example.com")) == "AL"
    assert chrome.initials(SimpleNamespace(name="", primary_email="bob@example.com")) == "B"
    assert chrome.initials(SimpleNamespace(name="", email="")) == "?"
    person = SimpleNamespace(pk=7, name='Eve <script>"', email="eve@example.com")
    html = chrome.avatar(person, "md")
    assert 'role="img" aria-label="Eve &lt;script&gt;&quot;"' in html and "<script>" not in html
    assert re.search(r'class="avatar avatar-md avatar-c[0-7]"', html)
    assert ">E<" in html or ">ES<" in html
    assert 'aria-hidden="true"' in chrome.avatar(person, "sm", decorative=True)
    assert "avatar-sm" in chrome.avatar(person, "huge")  # unknown sizes fall back
    pictured = SimpleNamespace(pk=1, name="Pic", email="", avatar_url="/media/p.png")
    assert chrome.avatar(pictured).startswith('<img class="avatar avatar-sm" src="/media/p.png" alt="Pic"')
    assert "<img" not in chrome.avatar(SimpleNamespace(pk=1, name="X", avatar_url="javascript:alert(1)"))


def test_avatar_colour_is_stable_and_differs_between_people() -> None:
    people = [SimpleNamespace(pk=i, name=f"P {i}", email="") for i in range(1, 40)]
    colours = [chrome.avatar_colour(p) for p in people]
    assert colours == [chrome.avatar_colour(p) for p in people]
    assert all(0 <= c < chrome.AVATAR_COLOURS for c in colours) and len(set(colours)) > 4


def test_icons_render_inline_hidden_svg_from_the_vendored_files() -> None:
    html = Template('{% load chrome %}{% icon "bell" %}').render(Context())
    assert html.startswith('<svg class="icon icon-bell"') and 'aria-hidden="true"' in html and "<path" in html
    assert "<!--" not in html and "\n" not in html
    assert chrome.icon("no-such-icon") == "" and chrome.icon("../../settings") == ""


def test_every_icon_a_template_names_is_vendored() -> None:
    root = Path(chrome.__file__).resolve().parents[2]
    used = set()
    for path in root.rglob("templates/**/*.html"):
        used |= set(re.findall(r'{%\s*icon\s+"([^"]+)"', path.read_text(encoding="utf-8")))
    assert {"bell", "inbox", "search"} <= used
    assert [name for name in sorted(used) if not chrome.icon_svg(name)] == []


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (Decimal("1234.5"), "EUR", "€1,234.50"),
        ("1234.5", "usd", "$1,234.50"),
        (Decimal("-12"), "GBP", "-£12.00"),
        (Decimal("1500"), "JPY", "¥1,500"),
        (Decimal("99.9"), "CHF", "99.90\u00a0CHF"),
        (Decimal("5"), "", "5.00"),
        (Decimal("5"), "<b>", "5.00"),
        ("not a number", "EUR", ""),
        (None, "EUR", ""),
    ],
)
def test_money_is_shown_with_its_currency(amount: object, currency: str, text: str) -> None:
    assert chrome.money(amount, currency) == text


def test_a_total_has_a_currency_only_when_all_share_one() -> None:
    assert chrome.common_currency([SimpleNamespace(currency="EUR"), SimpleNamespace(currency="EUR")]) == "EUR"
    assert chrome.common_currency([SimpleNamespace(currency="EUR"), SimpleNamespace(currency="USD")]) == ""
    assert chrome.common_currency([]) == ""


@pytest.mark.django_db
def test_stored_keys_are_shown_as_words() -> None:
    from frontdesk.tickets.models import TicketStatus

    TicketStatus.objects.update_or_create(key="waiting_on_vendor", defaults={
        "label": "Waiting on vendor", "category": "on_hold", "position": 90})
    assert chrome.label("on_hold", "status") == "On hold"
    assert chrome.label("waiting_on_vendor", "status") == "Waiting on vendor"
    assert chrome.label("email", "channel") == "Email"
    assert chrome.label("light_agent", "role") == "Light agent"
    assert chrome.label("customer_reply", "notification") == "Customer replied"
    assert chrome.label("some_new_key", "channel") == "Some new key"  # never the raw key
    assert chrome.label("", "status") == "" and chrome.label(None) == ""


def test_brand_colours_are_checked_and_inked() -> None:
    assert chrome.safe_colour("#1F6FEB") == "#1f6feb"
    for bad in ("red", "#fff", "#1f6feb;}body{display:none", "url(x)", None, 12):
        assert chrome.safe_colour(bad) == chrome.DEFAULT_ACCENT
    assert chrome.ink_for("#ffd60a") == "#111827"  # dark text on yellow
    assert chrome.ink_for("#1f2933") == "#ffffff"
