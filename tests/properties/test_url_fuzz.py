"""Hostile links: the URL decoder never raises, never reads outside presets/, and the text it
hands to the screen is escaped (hypothesis, thousands of random and hostile query strings)."""
import builtins
import io
import math
import pathlib
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.scenario.schema import Scenario
from tests.properties.strategies import scenarios
from ui import url
from ui.safe import md

pytestmark = pytest.mark.properties

HOSTILE_VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["nan", "NaN", "inf", "-inf", "1e309", "-1", "0", "1e999999", "0x10", "true", "None", "",
                     "../../etc/passwd", "/etc/passwd", "..\\..\\windows", "%2e%2e%2f", "support-assistant/../x",
                     "<script>alert(1)</script>", "[x](javascript:alert(1))", "![i](http://x/y.png)", "$$x$$",
                     "东京", "\x00", "a" * 5000]),
    st.integers(-10**30, 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
KEYS = st.one_of(st.sampled_from(url.field_keys() + list(url.ALIASES) + ["preset", "v", "../x", "__class__"]),
                 st.text(max_size=20))
QUERIES = st.dictionaries(KEYS, st.one_of(HOSTILE_VALUES, st.lists(HOSTILE_VALUES, max_size=3)), max_size=12)
PRESETS_DIR = url.PRESETS_DIR.resolve()


@pytest.fixture
def watch_reads(monkeypatch):
    """Record every file path opened while the decoder runs."""
    opened = []
    real_open, real_read_text = builtins.open, pathlib.Path.read_text

    def spy_open(file, *a, **k):
        opened.append(pathlib.Path(str(file)).resolve())
        return real_open(file, *a, **k)

    def spy_read_text(self, *a, **k):
        opened.append(self.resolve())
        return real_read_text(self, *a, **k)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(pathlib.Path, "read_text", spy_read_text)
    url.load_preset.cache_clear()
    return opened


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(QUERIES)
def test_decoder_never_raises_or_reads_outside_presets(watch_reads, params):
    watch_reads.clear()  # hypothesis reads its own files between examples
    parsed = url.from_params(params)
    read = list(watch_reads)
    assert isinstance(parsed.scenario, Scenario)
    assert parsed.preset is None or parsed.preset in url.preset_names()
    for path in read:
        assert path.parent == PRESETS_DIR or "engine/data" in str(path), path
    for problem in parsed.problems:
        shown = md(problem, 300)
        assert "<" not in shown.replace("\\<", "") and "[" not in shown.replace("\\[", "")
    for value in url.flatten(parsed.scenario).values():
        assert not (isinstance(value, float) and not math.isfinite(value))


def test_oversized_query_is_refused_with_a_warning():
    parsed = url.from_params({f"k{i}": "x" * 100 for i in range(60)})
    assert parsed.scenario == url.DEFAULT_SCENARIO
    assert len(parsed.problems) == 1 and "too long" in parsed.problems[0]


def test_path_traversal_in_preset_is_named_and_ignored():
    parsed = url.from_params({"preset": "../../etc/passwd", "dau": "1234"})
    assert parsed.preset is None and parsed.scenario.workload.daily_active_users == 1234
    assert any("not a preset" in p for p in parsed.problems)


@settings(max_examples=300, deadline=None)
@given(scenarios, st.sampled_from([None] + sorted(url.preset_names())))
def test_scenario_to_url_to_scenario_is_identity(s, preset):
    params = url.to_params(s, preset)
    assert url.from_params(params).scenario == s
    assert url.from_params(params).problems == ()


def test_markdown_is_escaped():
    assert md("[x](javascript:alert(1))").replace(JOINER, "") == r"\[x\]\(javascript:alert\(1\)\)"
    assert md("a" * 500, 10) == "a" * 10 + "…"
    assert io.StringIO(md("<b>x</b>")).read().count("\\<") == 2


# How the markdown renderer reads `md`'s output: backslash escapes drop, the word joiner is invisible.
JOINER = "\u2060"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def rendered_text(escaped: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", escaped).replace(JOINER, "")


@pytest.mark.parametrize("typed,shown", [
    ("1. list", "1. list"), ("12) item", "12) item"), ("- item", "- item"),
    (":smile:", ":smile:"), (":material/warning:", ":material/warning:"), (":red[alert]", ":red[alert]"),
    ("&amp; &lt;b&gt; &#60;", "&amp; &lt;b&gt; &#60;"), ("$x^2$", "$x^2$"),
    ("a\u202eb\u2066c\u2069", "abc"), ("line\nbreak", "line break")])
def test_escaped_text_renders_as_typed(typed, shown):
    escaped = md(typed)
    assert rendered_text(escaped) == shown
    assert not escaped.startswith("\\1")  # a backslash before a digit is no escape: it would show


def test_shortcodes_autolinks_and_entities_are_broken():
    for typed in (":smile:", ":material/warning:", "x :+1: y", ":red[x]"):
        assert not re.search(r":[\w+-]+(/[\w-]+)?[:\[]", md(typed)), typed
    for typed in ("see http://evil.example/x", "https://evil.example", "www.evil.example", "me@evil.example"):
        assert not re.search(r"https?://|www\.|@\w", md(typed)), typed
    assert not re.search(r"(?<!\\)&", md("&amp; &#60; &x"))


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(list("[]()!:&#*_`$<>\\") + list(BIDI)),
               max_size=80))
def test_md_output_has_no_live_markdown(text):
    escaped = md(text, None)
    assert not any(c in escaped for c in BIDI)
    assert "\n" not in escaped and "\r" not in escaped
    assert not re.search(r"(?<!\\)[\[\]()!<>`*_$&]", escaped.replace("\\\\", "")), escaped
    assert not re.search(r":[\w+-]+(/[\w-]+)?:", escaped)
    typed = text.replace("\r", " ").replace("\n", " ").translate({ord(c): None for c in BIDI + JOINER})
    assert rendered_text(escaped) == typed  # what is shown is what was typed


def test_broken_preset_file_is_named_and_the_rest_still_load(tmp_path, monkeypatch):
    for good in ("support-assistant", "voice-agent"):
        (tmp_path / f"{good}.yaml").write_text((url.PRESETS_DIR / f"{good}.yaml").read_text())
    (tmp_path / "broken.yaml").write_text("workload: {daily_active_users: [")
    (tmp_path / "bad-value.yaml").write_text("workload: {daily_active_users: -4}\n")
    monkeypatch.setattr(url, "PRESETS_DIR", tmp_path)
    url._scan_presets.cache_clear()
    url.load_preset.cache_clear()
    try:
        assert set(url.preset_names()) == {"support-assistant", "voice-agent"}
        broken = url.broken_presets()
        assert any(b.startswith("presets/broken.yaml") for b in broken)
        assert any("presets/bad-value.yaml" in b and "daily_active_users" in b for b in broken)
        parsed = url.from_params({"preset": "broken"})
        assert parsed.preset is None and parsed.problems
    finally:
        url._scan_presets.cache_clear()
        url.load_preset.cache_clear()
