"""What sanitised HTML may still make a browser do, and what it must keep of the message.

Received mail shows only its own images (``cid:``, ``data:image``); relative URLs never survive
(an agent's browser would send them to our origin with cookies); foreign content and raw-text
elements cannot make the parser swallow the rest of a message.
"""

from __future__ import annotations

import re

import pytest

from frontdesk.core.html import MAX_DEPTH, Sanitised, ensure_sanitised, normalise, sanitize_html
from frontdesk.core.text import html_to_text, tokens, unescape_attribute


def src_of(html: str) -> list[str]:
    """The URLs of the HTML's images and links, as a browser reads them."""
    found = [attrs for kind, _, attrs in tokens(html) if kind == "start"]
    return [unescape_attribute(v) for attrs in found for k, v in attrs if k in ("src", "href")]


@pytest.mark.parametrize(
    "src",
    [
        "/xss-canary-24",
        "xss-canary-24",
        "./x",
        "//evil.test/pixel.gif",
        "https:/pixel",  # a browser resolves it against the page
        "http:pixel",
        "https://tracker.test/pixel.gif",  # a remote image tells the sender the mail was opened
        "http://tracker.test/pixel.gif",
        "data:text/html;base64,PHNjcmlwdD4=",
        "data:image/svg+xml;base64,PHN2Zz4=",
        "data:image/png;base64,AAAA<>",
        "javascript:alert(1)",
        " /x",
        "&#47;x",
        "cid:" + "x" * 2000,
    ],
)
def test_received_mail_loses_every_image_but_its_own(src: str) -> None:
    clean = sanitize_html(f'<p>before<img src="{src}" alt="the chart">after</p>')
    assert re.search(r"(?<![-\w])src=", clean) is None, clean
    assert 'alt="the chart"' in clean and "before" in clean and "after" in clean
    # an absolute http(s) image waits for the agent's click, its address kept aside; nothing else does
    kept = re.findall(r'data-remote-src="([^"]*)"', clean)
    assert kept == ([src] if src.startswith(("https://", "http://")) else []), clean


def test_a_remote_image_address_is_written_only_by_the_sanitiser() -> None:
    clean = sanitize_html('<img data-remote-src="/xss-canary" src="cid:a"><img data-remote-src="https://x.test/a.png">')
    assert clean == '<img src="cid:a"><img>', clean


@pytest.mark.parametrize(
    "src", ["cid:part1.abc@mail.test", "CID:x", "data:image/png;base64,iVBORw0KGgo=", "data:image/jpeg;base64,/9j/"]
)
def test_inline_images_of_the_mail_itself_are_kept(src: str) -> None:
    assert f'src="{src}"' in sanitize_html(f'<img src="{src}">')


def test_a_base64_image_may_be_wrapped_over_lines() -> None:
    clean = sanitize_html('<img src="data:image/png;base64,iVBO\n Rw0K\tGgo=">')
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in clean


def test_agents_html_may_show_remote_images_but_never_relative_ones() -> None:
    clean = sanitize_html('<img src="https://cdn.test/logo.png"><img src="/internal">', remote_images=True)
    assert src_of(clean) == ["https://cdn.test/logo.png"]


@pytest.mark.parametrize(
    "href",
    ["/tickets/1/delete", "relative", "//evil.test/x", "https:/x", "?q=1", "#top", "javascript:alert(1)",
     "java\tscript:alert(1)", "data:text/html,x", "cid:x", "vbscript:x", " /x"],
)
def test_links_keep_no_relative_or_dangerous_address(href: str) -> None:
    clean = sanitize_html(f'<a href="{href}">text</a>')
    assert "href=" not in clean and "text" in clean


@pytest.mark.parametrize(
    "href", ["https://example.test/a?b=1&c=2", "http://example.test", "mailto:dana@example.test", "tel:+4930123"]
)
def test_ordinary_links_survive(href: str) -> None:
    clean = sanitize_html(f'<a href="{href}">text</a>')
    assert src_of(clean) == [href]
    assert 'rel="noopener noreferrer nofollow"' in clean


def test_a_mathml_structure_no_longer_swallows_the_rest_of_the_message() -> None:
    html = "<p>Hello</p><math><mtext><table><mglyph><style><img src=x onerror=alert(1)><p>The rest of my mail.</p>"
    clean = sanitize_html(html)
    assert "The rest of my mail." in clean and "Hello" in clean
    for bad in ("onerror", "<style", "<math", "<mglyph", "src="):
        assert bad not in clean


def test_svg_and_math_keep_their_text_but_lose_their_markup() -> None:
    clean = sanitize_html("<svg><text>chart title</text><script>x()</script></svg><math><mi>x</mi></math><b>ok</b>")
    assert clean == "chart titlex<b>ok</b>"


def test_an_unclosed_style_or_script_swallows_nothing_and_a_closed_one_everything() -> None:
    assert "after" in sanitize_html("<style>p {color: red}<p>after</p>")
    assert "after" in sanitize_html("<script>x()<p>after</p>")
    assert sanitize_html("<style>p {}</style><p>shown</p><script>x()</script>") == "<p>shown</p>"
    assert html_to_text("<title>Subject</title><style>p{}</style>Body") == "Body"


def test_content_misplaced_in_a_table_gets_a_cell() -> None:
    assert normalise("<table>x<tr>y<td>z</table>") == (
        "<table><tbody><tr><td>x</td></tr><tr><td>y</td><td>z</td></tr></tbody></table>"
    )


def test_deep_nesting_is_flattened_and_nothing_is_lost() -> None:
    html = "<div>" * 1000 + "deep text" + "</div>" * 1000 + "after"
    clean = sanitize_html(html)
    assert clean.count("<div>") == MAX_DEPTH and clean.endswith("deep text" + "</div>" * MAX_DEPTH + "after")


def test_lone_surrogates_do_not_break_the_sanitiser() -> None:
    assert sanitize_html("a\ud800b<b>c</b>") == "a\ufffdb<b>c</b>"


def test_sanitised_html_is_not_sanitised_twice() -> None:
    clean = sanitize_html("<b>x</b>")
    assert isinstance(clean, Sanitised) and ensure_sanitised(clean) is clean
    assert ensure_sanitised("<b>x</b><script>") == "<b>x</b>"  # a plain string always is
    agents = sanitize_html('<img src="https://cdn.test/a.png">', remote_images=True)
    assert ensure_sanitised(agents) == '<img data-remote-src="https://cdn.test/a.png">'  # ... and HTML with more
    # freedom than asked is sanitised again: the image no longer loads by itself
    assert ensure_sanitised(agents, remote_images=True) is agents
    assert not isinstance(clean + "<script>", Sanitised)  # a changed string is a plain one again
