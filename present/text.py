"""Plain-text hygiene shared by the screens (ui/safe.py) and the brief (report/): one list of
the invisible characters that reorder text, removed wherever user or data text is shown."""
from __future__ import annotations

import re

# Explicit bidi embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI): U+202E
# turns "gpj.exe" into "exe.jpg" on screen, so a name could read as something it is not.
# The implicit marks (U+200E, U+200F, U+061C) are kept: Arabic and Hebrew text uses them.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def strip_bidi(text: str) -> str:
    """`text` without bidi embedding, override and isolate controls."""
    return BIDI_CONTROLS.sub("", text)


def web_link(url: str | None) -> str | None:
    """`url` when it is an http(s) address, else None: a share link set by whoever builds the
    brief must not become a live `javascript:` or `data:` link in the PDF or the HTML."""
    if not url:
        return None
    from urllib.parse import urlsplit  # noqa: PLC0415
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def without_bidi(obj):
    """A copy of a frozen record tree (dataclasses, tuples, lists, dicts) with bidi controls
    removed from every string in it."""
    import dataclasses  # noqa: PLC0415
    if isinstance(obj, str):
        return strip_bidi(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {f.name: without_bidi(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.init}
        return dataclasses.replace(obj, **changes)
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):  # a named tuple
        return type(obj)(*(without_bidi(v) for v in obj))
    if isinstance(obj, (tuple, list)):
        return type(obj)(without_bidi(v) for v in obj)
    if isinstance(obj, dict):
        return {without_bidi(k): without_bidi(v) for k, v in obj.items()}
    return obj
