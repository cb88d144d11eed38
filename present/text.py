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
