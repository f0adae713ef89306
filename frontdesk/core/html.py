"""Sanitising HTML that came from outside (customers, mail clients, API callers) with nh3.

Everything stored as HTML goes through ``sanitize_html`` first, so no page ever has to trust it:
scripts, styles, event handlers, ``javascript:`` and ``data:`` URLs, forms and frames are removed.
"""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "*": {"dir", "lang"},
}
# cid: keeps inline images of emails addressable; they are rewritten to attachment URLs when shown.
URL_SCHEMES = {"http", "https", "mailto", "tel", "cid"}
MAX_HTML = 2_000_000


def sanitize_html(html: str) -> str:
    """Safe HTML for display; '' for empty input. Oversized input is cut before parsing."""
    if not html:
        return ""
    return nh3.clean(
        html[:MAX_HTML],
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
