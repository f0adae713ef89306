"""Folding the quoted history of replies: where each mail client's quote starts, in HTML and in
text; nothing is ever lost (the two halves are the whole message); hostile HTML never raises."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.channels.email.pipeline.parse import html_to_text
from frontdesk.channels.email.pipeline.quotes import MAX_HTML, split_html, split_text
from frontdesk.core.html import sanitize_html

GMAIL = (
    '<div dir="ltr">It still does not print.</div><br><div class="gmail_quote gmail_quote_container">'
    '<div dir="ltr" class="gmail_attr">On Mon, 23 Nov 2026 at 10:30, Support &lt;<a href="mailto:s@x.test">'
    "s@x.test</a>&gt; wrote:<br></div><blockquote class=\"gmail_quote\">Please restart it.</blockquote></div>"
)
APPLE = (
    '<html><body>Yes, it is the X200.<div><br></div><div>Sent from my Mac<br id="lineBreakAtBeginningOfMessage">'
    '<div><br><blockquote type="cite"><div>On 23 Nov 2026, at 10:30, Support wrote:</div>'
    '<br class="Apple-interchange-newline"><div>Which model?</div></blockquote></div><br></div></body></html>'
)
THUNDERBIRD = (
    "<p>Fine now.</p><div class=\"moz-cite-prefix\">On 23/11/2026 10:30, Support wrote:<br></div>"
    '<blockquote type="cite" cite="mid:a@b">Try again.</blockquote>'
)
OUTLOOK_WEB = (
    '<html><head><style>P {margin:0}</style></head><body dir="ltr"><div class="elementToProof">Still broken.</div>'
    '<div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1">'
    '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri"><b>From:</b> Support<br><b>Sent:</b> Monday<br>'
    "<b>Subject:</b> Printer</font><div>&nbsp;</div></div><div>Please restart it.</div></body></html>"
)
OUTLOOK_DESKTOP_DE = (
    "<html><head><style><!-- p.MsoNormal {margin:0} --></style><!--[if gte mso 9]><xml><o:shapedefaults />"
    "</xml><![endif]--></head><body><div class=WordSection1><p class=MsoNormal>Geht immer noch nicht.<o:p></o:p>"
    "</p><p class=MsoNormal><o:p>&nbsp;</o:p></p><div><div style='border:none;border-top:solid #E1E1E1 1.0pt'>"
    "<p class=MsoNormal><b>Von:</b> Support<br><b>Gesendet:</b> Montag<br><b>Betreff:</b> Drucker<o:p></o:p></p>"
    "</div></div><p class=MsoNormal>Bitte neu starten.<o:p></o:p></p></div></body></html>"
)
HOTMAIL = '<div>New words.</div><hr id="stopSpelling">Date: Mon<br>From: Support<br>Restart it.'
YAHOO = (
    '<div>Thanks!</div><div id="yahoo_quoted_4711" class="yahoo_quoted"><div>On Monday, Support wrote:</div>'
    "<div>Restart it.</div></div>"
)
GENERIC = "<p>My answer.</p><p>Support wrote:</p><blockquote>Restart it.</blockquote>"
ORIGINAL_MESSAGE = "<p>Answer.</p><p>-----Original Message-----<br>From: a<br>Sent: b</p><p>Old text.</p>"


@pytest.mark.parametrize(
    ("html", "new", "first_quoted"),
    [
        (GMAIL, "It still does not print.", "On Mon, 23 Nov 2026"),
        (APPLE, "Yes, it is the X200. Sent from my Mac", "On 23 Nov 2026, at 10:30"),
        (THUNDERBIRD, "Fine now.", "On 23/11/2026 10:30"),
        (OUTLOOK_WEB, "Still broken.", "From: Support"),
        (OUTLOOK_DESKTOP_DE, "Geht immer noch nicht.", "Von: Support"),
        (HOTMAIL, "New words.", "Date: Mon"),
        (YAHOO, "Thanks!", "On Monday, Support wrote:"),
        (GENERIC, "My answer. Support wrote:", "Restart it."),
        (ORIGINAL_MESSAGE, "Answer.", "-----Original Message-----"),
    ],
    ids=["gmail", "apple", "thunderbird", "outlook-web", "outlook-desktop-de", "hotmail", "yahoo", "blockquote",
         "original-message"],
)
def test_each_clients_quote_is_cut_where_it_starts(html: str, new: str, first_quoted: str) -> None:
    body, quoted = split_html(html)
    assert body + quoted == html  # nothing lost, nothing added
    assert " ".join(html_to_text(body).split()) == new
    assert " ".join(html_to_text(quoted).split()).startswith(first_quoted)


def test_the_new_part_ends_with_its_text_and_the_quote_takes_the_blank_lines() -> None:
    body, quoted = split_html(GMAIL)
    assert body == '<div dir="ltr">It still does not print.</div>'
    assert quoted.startswith('<br><div class="gmail_quote')
    body, _ = split_html(OUTLOOK_DESKTOP_DE)
    assert body.endswith("Geht immer noch nicht.<o:p></o:p></p>")


@pytest.mark.parametrize(
    "html",
    [
        "<p>Intro</p><blockquote>The error says 0x80070005</blockquote><p>What does it mean?</p>",  # inline quote
        "<blockquote>Only a quote, nothing of my own</blockquote>",
        '<div class="gmail_quote">On Mon, X wrote:<blockquote>old</blockquote></div>',  # nothing new before it
        "<p>Hello, no history here.</p>",
        "",
        "<p>Look:</p><img src=\"cid:x\"><blockquote>q</blockquote><img src=\"cid:y\">",  # an image after it
    ],
)
def test_no_fold_without_a_trailing_quote_and_something_new_before_it(html: str) -> None:
    assert split_html(html) == (html, "")


def test_a_forward_is_never_folded() -> None:
    html = '<p>See below.</p><div class="gmail_quote">---------- Forwarded message ---------<br>Why?</div>'
    assert split_html(html, forwarded=True) == (html, "")
    text = "See below.\n\n---------- Forwarded message ---------\nWhy?"
    assert split_text(text, forwarded=True) == (text, "")


def test_markers_inside_scripts_comments_and_styles_are_not_quotes() -> None:
    html = (
        '<p>Real text.</p><script>x = \'<div class="gmail_quote">\'</script><!-- <div id="divRplyFwdMsg"> -->'
        '<style>.yahoo_quoted{}</style><p>More real text.</p>'
    )
    assert split_html(html) == (html, "")


@pytest.mark.parametrize(
    ("text", "new", "quoted"),
    [
        ("Thanks!\n\nOn Mon, 23 Nov 2026, Support wrote:\n> Restart it.", "Thanks!",
         "On Mon, 23 Nov 2026, Support wrote:\n> Restart it."),
        ("ok\n\n> a\n>\n> b\n", "ok", "> a\n>\n> b"),
        ("Still broken.\n\nFrom: Support\nSent: Monday\n\nRestart it.", "Still broken.",
         "From: Support\nSent: Monday\n\nRestart it."),
        ("No history.", "No history.", ""),
        ("> all quoted\n> nothing new", "> all quoted\n> nothing new", ""),
        ("> a quote\nmy inline answer", "> a quote\nmy inline answer", ""),
    ],
)
def test_text_split_keeps_every_line(text: str, new: str, quoted: str) -> None:
    assert split_text(text) == (new, quoted)
    assert (new + "\n" + quoted).split() == text.split() or not quoted


@pytest.mark.parametrize(
    "html",
    [
        "<a" * 1_000_000,
        ("<a " + "x" * 3990) * 500,
        "<!--" * 500_000,
        "<div>" * 99_000 + "</span>" * 99_000,
        "y<blockquote>x" * 60_000,
        '<a title="' * 190_000,
        "<script>" * 200_000,
        "<p>&gt; x</p>" * 100_000 + "<p>y</p>",
        "<p>a" * 99_000 + "</p>",
        "<div class=\"gmail_quote\"" * 50_000,
    ],
    ids=["lt", "long-attrs", "comments", "unclosed", "nested-quotes", "open-quotes", "scripts", "gt-lines",
         "open-paragraphs", "open-markers"],
)
def test_hostile_html_is_split_fast_and_whole(html: str) -> None:
    # no wall-clock limit (it fails on a loaded machine, not on a bug): quadratic work on these
    # inputs would take minutes, which the suite's run time shows; linear work takes a second
    body, quoted = split_html(html)
    assert body + quoted == html


def test_too_large_html_is_not_split() -> None:
    html = "<p>new</p>" + "<blockquote>" + "x" * MAX_HTML + "</blockquote>"
    assert split_html(html) == (html, "")


FRAGMENTS = st.sampled_from([
    "<div>", "</div>", "<p>", "</p>", "<br>", "<blockquote>", "</blockquote>", '<blockquote type="cite">',
    '<div class="gmail_quote">', '<div id="divRplyFwdMsg">', '<div class="yahoo_quoted">', "<hr id=stopSpelling>",
    '<div style="border-top:solid">', "From: x", "Sent: y", "On Mon, X wrote:", "> q", "text", "&nbsp;", "&amp",
    "<", ">", "<!--", "-->", "<script>", "</script>", '"', "'", "<img src=x>", "<![if x]>", "\n", " ",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=20)), max_size=60), st.booleans())
def test_any_html_splits_without_error_and_loses_nothing(parts: list[str], forwarded: bool) -> None:
    html = "".join(parts)
    body, quoted = split_html(html, forwarded=forwarded)
    assert body + quoted == html
    if quoted:
        shown = sanitize_html(body)
        assert html_to_text(shown).strip() or "<img" in shown, "a fold always leaves something new to show"
