"""Presets are read only from inside presets/, a broken one is named without its content, and an
over-long link says it was too long and what was kept (issue 16, defects 8 and 9, engine side)."""
import pytest

from ui import url

pytestmark = pytest.mark.unit


@pytest.fixture
def presets(tmp_path, monkeypatch):
    folder = tmp_path / "presets"
    folder.mkdir()
    (folder / "support-assistant.yaml").write_text((url.PRESETS_DIR / "support-assistant.yaml").read_text())
    monkeypatch.setattr(url, "PRESETS_DIR", folder)
    url._scan_presets.cache_clear()
    url.load_preset.cache_clear()
    yield folder
    url._scan_presets.cache_clear()
    url.load_preset.cache_clear()


def test_a_symlink_out_of_presets_is_not_followed(presets, tmp_path):
    outside = tmp_path / "secret.yaml"
    outside.write_text("name: read from outside presets/\n")
    (presets / "leak.yaml").symlink_to(outside)
    (presets / "alias.yaml").symlink_to(presets / "support-assistant.yaml")  # inside: fine
    assert set(url.preset_names()) == {"support-assistant", "alias"}
    with pytest.raises(ValueError, match="not known"):
        url.load_preset("leak")
    assert url.from_params({"preset": "leak"}).preset is None


def test_a_broken_preset_is_named_without_echoing_its_content(presets):
    (presets / "broken.yaml").write_text("workload: {daily_active_users: SECRET-TOKEN-abc123}\n")
    (presets / "unparsable.yaml").write_text("name: SECRET-TOKEN-def456\n  bad: [\n")
    broken = url.broken_presets()
    assert len(broken) == 2 and set(url.preset_names()) == {"support-assistant"}
    assert "presets/broken.yaml" in broken[0] and "workload.daily_active_users" in broken[0]
    assert "presets/unparsable.yaml" in broken[1] and "line" in broken[1]
    assert not any("SECRET" in b for b in broken)


def test_a_link_with_over_a_thousand_parameters_says_it_was_too_long_and_what_was_kept():
    params = {f"k{i}": "1" for i in range(1001)}
    parsed = url.from_params({**params, "preset": "voice-agent", "dau": "5"})
    assert parsed.preset == "voice-agent" and parsed.scenario == url.load_preset("voice-agent")
    (problem,) = parsed.problems
    assert "too long" in problem and "1,003 parameters" in problem
    assert "none of its fields were applied" in problem and "preset voice-agent" in problem
    parsed = url.from_params(params)
    assert parsed.scenario == url.DEFAULT_SCENARIO and "default scenario" in parsed.problems[0]


def test_a_link_lowering_growth_and_lengthening_the_horizon_applies_both():
    # consumer-app grows 10% a month: 98 months alone would compound past the cap, with growth 0 it is fine
    parsed = url.from_params({"preset": "consumer-app", "horizon": "98", "growth": "0"})
    assert parsed.problems == ()
    assert (parsed.scenario.finance.horizon_months, parsed.scenario.finance.monthly_growth) == (98, 0.0)
