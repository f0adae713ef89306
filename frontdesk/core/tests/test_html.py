from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from frontdesk.core.html import sanitize_html

HOSTILE = [
    '<script>alert(1)</script><p>hi</p>',
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<svg><script>alert(1)</script></svg>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<form action="https://evil.example"><input name=p></form>',
    '<img src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<!--<script>alert(1)</script>-->',
]


def test_hostile_html_loses_everything_that_could_run() -> None:
    for html in HOSTILE:
        clean = sanitize_html(html).lower()
        for needle in ("<script", "onerror", "javascript:", "<iframe", "<form", "style=", "data:text", "<style"):
            assert needle not in clean, (html, clean)


def test_ordinary_formatting_and_links_survive() -> None:
    clean = sanitize_html('<p>Hello <strong>Dana</strong>, see <a href="https://example.com/x">the guide</a>.</p>')
    assert "<strong>Dana</strong>" in clean
    assert 'href="https://example.com/x"' in clean and 'rel="noopener noreferrer nofollow"' in clean


@given(st.text(max_size=300))
def test_never_raises_and_never_lets_a_script_through(text: str) -> None:
    clean = sanitize_html(text + "<script>x</script>")
    assert "<script" not in clean.lower()
