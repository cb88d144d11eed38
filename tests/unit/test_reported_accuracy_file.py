"""The accuracy users are shown is read from engine/data/reported_accuracy.json, never refitted, while the
file's fingerprint matches its inputs; a stale file is never read. (The figures themselves are checked
against a fresh computation in tests/calibration/test_reported_accuracy_file.py.)"""
import json
import logging
import shutil

import pytest

from engine.__main__ import main
from engine.physics import calibration
from engine.physics.calibration import (ACCURACY_FILE, ACCURACY_INPUTS, WRITE_ACCURACY_COMMAND, Summary,
                                        accuracy_fingerprint, accuracy_record, reported_from_record,
                                        stored_accuracy)


@pytest.fixture
def fresh_cache():
    calibration.reported_accuracy.cache_clear()
    yield
    calibration.reported_accuracy.cache_clear()


def _no_refit(*args, **kwargs):
    raise AssertionError("the accuracy was recomputed although the stored file matches its inputs")


def test_committed_file_matches_its_inputs():
    record = json.loads(ACCURACY_FILE.read_text(encoding="utf-8"))
    moved = [name for name, digest in calibration.input_hashes().items() if record["inputs"].get(name) != digest]
    assert record["fingerprint"] == accuracy_fingerprint(), (
        f"{ACCURACY_FILE.name} is stale ({', '.join(moved) or 'the input list'} changed): "
        f"run `{WRITE_ACCURACY_COMMAND}` and commit the file")


def test_matching_fingerprint_reads_the_file_without_a_refit(monkeypatch, tmp_path, fresh_cache):
    figures = {"in_sample": {"label": "in sample", "rows": 7, "median_abs_error": 0.01, "p90_abs_error": 0.02,
                             "median_signed_error": -0.005},
               "held_out": {k: {"label": k, "rows": 7, "median_abs_error": 0.03, "p90_abs_error": 0.04 + i / 100,
                                "median_signed_error": 0.0} for i, k in enumerate(("hardware", "family", "source"))},
               "latency_limited": None}
    stored = tmp_path / "reported_accuracy.json"
    stored.write_text(json.dumps({"fingerprint": accuracy_fingerprint(), "reported_accuracy": figures}))
    monkeypatch.setattr(calibration, "ACCURACY_FILE", stored)
    monkeypatch.setattr(calibration, "accuracy", _no_refit)
    monkeypatch.setattr(calibration, "compute_reported_accuracy", _no_refit)
    shown = calibration.reported_accuracy()
    assert shown.in_sample == Summary("in sample", 7, 0.01, 0.02, -0.005)
    assert shown.out_of_sample.label == "source"  # the least favourable of the three, as computed ones
    assert shown.latency_limited is None


def test_committed_file_is_used_as_is(monkeypatch, fresh_cache):
    monkeypatch.setattr(calibration, "accuracy", _no_refit)
    monkeypatch.setattr(calibration, "compute_reported_accuracy", _no_refit)
    if stored_accuracy()[0]:  # a stale file fails test_committed_file_matches_its_inputs instead
        record = json.loads(ACCURACY_FILE.read_text(encoding="utf-8"))
        assert calibration.reported_accuracy() == reported_from_record(record)


@pytest.mark.parametrize("fingerprint", ["0" * 64, None])
def test_stale_or_unstamped_file_is_not_read_and_the_accuracy_is_computed(monkeypatch, tmp_path, caplog,
                                                                          fresh_cache, fingerprint):
    stored = tmp_path / "reported_accuracy.json"
    record = accuracy_record(None)
    record["fingerprint"] = fingerprint
    stored.write_text(json.dumps(record))
    monkeypatch.setattr(calibration, "ACCURACY_FILE", stored)
    computed = object()
    monkeypatch.setattr(calibration, "compute_reported_accuracy", lambda: computed)
    with caplog.at_level(logging.WARNING, logger="engine.physics.calibration"):
        assert calibration.reported_accuracy() is computed
    assert WRITE_ACCURACY_COMMAND in caplog.text


def test_missing_or_broken_file_is_not_read(tmp_path):
    assert stored_accuracy(tmp_path / "absent.json") == (False, None)
    broken = tmp_path / "broken.json"
    broken.write_text('{"fingerprint": ')
    assert stored_accuracy(broken) == (False, None)


@pytest.mark.parametrize("name", ["engine/data/stacks.yaml", "engine/data/benchmarks.csv",
                                  "engine/physics/perf.py"])
def test_fingerprint_moves_when_an_input_changes(tmp_path, name):
    for input_name in ACCURACY_INPUTS:
        target = tmp_path / input_name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(calibration.REPO_ROOT / input_name, target)
    assert accuracy_fingerprint(tmp_path) == accuracy_fingerprint()
    with (tmp_path / name).open("a", encoding="utf-8") as fh:
        fh.write("\n")
    assert accuracy_fingerprint(tmp_path) != accuracy_fingerprint()


def test_write_accuracy_refuses_another_benchmarks_file(capsys):
    assert main(["calibrate", "--write-accuracy", "--benchmarks", "other.csv"]) == 2
    assert "--write-accuracy" in capsys.readouterr().err


def test_the_headline_band_is_the_less_favourable_of_held_out_and_latency_limited_error():
    """A modelled latency claim carries the larger of the worst held-out median error and the MLPerf
    latency-limited replay's median error (both from the stored file, no refit)."""
    from engine.physics.calibration import reported_accuracy
    from engine.recommend import model_error_band

    accuracy = reported_accuracy()
    band = model_error_band()
    assert band == max(accuracy.out_of_sample.median_abs_error, accuracy.latency_limited.median_abs_error)
    assert 0.05 < band < 0.5  # a real, stated error: neither zero nor meaningless
