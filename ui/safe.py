"""User and data text on screen: Streamlit renders markdown in titles, captions, alerts and
metric labels (links, images, LaTeX, emoji and icon shortcodes, coloured-text directives,
bare URLs), so anything a user, a link or a data file typed goes through `md` before it is
shown; engine error messages too, since they quote the bad value."""
from __future__ import annotations

import re

from present.text import strip_bidi

# Every ASCII punctuation character CommonMark lets a backslash escape that starts markdown
# syntax: emphasis, code, links and images, headings, tables, HTML, LaTeX, strikethrough, and
# `&`, so that `&amp;` shows as typed instead of being decoded into `&`.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#!|<>~$&])")
# Shortcodes (`:smile:`, `:material/warning:`) and bare URLs (`http://`) are matched on the
# parsed text, after backslash escapes are gone: an invisible word joiner after the colon breaks
# them. The same for GFM's `www.` and e-mail autolinks.
_JOINER = "\u2060"
_SHORTCODE_COLON = re.compile(r":(?=\S)")
_AUTOLINK_WWW = re.compile(r"(?i)\b(www)\.")
_AUTOLINK_AT = re.compile(r"@(?=\S)")
# A line that starts like a list item or a block quote: `1. x`, `1) x`, `- x`, `+ x`.
_ORDERED_START = re.compile(r"^(\d{1,9})([.)])")


def md(text: object, limit: int | None = 200) -> str:
    """`text` as literal markdown: shortened to `limit` characters (None: whole), on one line,
    bidi controls removed, every markdown construct neutralised.

    Examples: ``md("[x](http://evil)")`` shows ``[x](http://evil)`` with no link,
    ``md("1. list")`` shows ``1. list`` (no list, no stray backslash), ``md(":smile:")``
    shows the colons, ``md("&amp;")`` shows ``&amp;``.
    """
    s = strip_bidi(str(text))
    if limit is not None and len(s) > limit:
        s = s[:limit] + "…"
    s = s.replace("\r", " ").replace("\n", " ")
    s = _MARKDOWN.sub(r"\\\1", s)
    s = _SHORTCODE_COLON.sub(":" + _JOINER, s)
    s = _AUTOLINK_WWW.sub(r"\1" + _JOINER + ".", s)
    s = _AUTOLINK_AT.sub("@" + _JOINER, s)
    # list markers only count at the start of a line; the escape goes on the punctuation
    # (a backslash before a digit is not an escape and would show)
    s = _ORDERED_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", s)
    return "\\" + s if s[:1] in ("-", "+") else s
