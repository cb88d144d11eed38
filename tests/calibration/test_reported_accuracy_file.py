"""The committed engine/data/reported_accuracy.json holds what computing the accuracy gives now."""
import json

import pytest

from engine.physics.calibration import (ACCURACY_FILE, WRITE_ACCURACY_COMMAND, accuracy_fingerprint,
                                        compute_reported_accuracy, reported_from_record)

pytestmark = pytest.mark.calibration


def test_stored_accuracy_equals_a_fresh_computation():
    record = json.loads(ACCURACY_FILE.read_text(encoding="utf-8"))
    stale = f"{ACCURACY_FILE.name} is stale: run `{WRITE_ACCURACY_COMMAND}` and commit the file"
    assert record["fingerprint"] == accuracy_fingerprint(), stale
    stored, computed = reported_from_record(record), compute_reported_accuracy()
    assert (stored is None) == (computed is None), stale
    pairs = [(stored.in_sample, computed.in_sample), (stored.latency_limited, computed.latency_limited)]
    assert stored.held_out.keys() == computed.held_out.keys(), stale
    pairs += [(stored.held_out[k], computed.held_out[k]) for k in computed.held_out]
    for kept, fresh in pairs:
        assert (kept is None) == (fresh is None), stale
        if fresh is None:
            continue
        assert (kept.label, kept.rows) == (fresh.label, fresh.rows), stale
        # float sums may differ in the last bits between BLAS builds; the figures are shown to 0.1%
        for field in ("median_abs_error", "p90_abs_error", "median_signed_error"):
            assert getattr(kept, field) == pytest.approx(getattr(fresh, field), abs=1e-9), f"{field}: {stale}"
