"""User text on screen: Streamlit renders markdown (links, images, LaTeX) in titles, captions
and alerts, so anything a user or a link typed is escaped before it is shown."""
from __future__ import annotations

import re

# Inline markdown syntax: emphasis, code, links and images, headings, tables, HTML, LaTeX.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#!|<>~$])")


def md(text: object, limit: int = 200) -> str:
    """`text` shortened to `limit` characters with every markdown character escaped."""
    s = str(text)
    if len(s) > limit:
        s = s[:limit] + "…"
    s = s.replace("\r", " ").replace("\n", " ")
    s = _MARKDOWN.sub(r"\\\1", s)
    # list markers only count at the start of a line
    return "\\" + s if s[:1] in ("-", "+") or re.match(r"\d+\.", s) else s
